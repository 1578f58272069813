// Histogram costs: record() runs once per message on every client thread;
// merge runs once per client per stats collection.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "common/histogram.h"

namespace {

// Latency-like values spread from 1 µs to 1 h (log-uniform), precomputed so the
// benchmark times record() and not the random generator.
std::vector<int64_t> latency_values(size_t n) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(3.6e12));
  std::vector<int64_t> v(n);
  for (auto& x : v) x = int64_t(std::exp(exponent(rng)));
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto values = latency_values(1 << 16);
  hydra::Histogram h;
  size_t i = 0;
  for (auto _ : state) {
    h.record(values[i]);
    i = (i + 1) & (values.size() - 1);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  hydra::Histogram a, b;
  for (int64_t v : latency_values(100'000)) b.record(v);
  for (auto _ : state) {
    a += b;
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(a.count());
}
BENCHMARK(BM_HistogramMerge);

}  // namespace
