// Sequence tracking runs once per received message on every subscriber client.
// The common case is in order on one stream (the last-stream cache); with
// several partitions interleaved every message switches stream.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "common/sequence_tracker.h"

namespace {

void BM_SequenceTrackerInOrder(benchmark::State& state) {
  hydra::SequenceTracker t;
  uint64_t seq = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t.on_message(1, 0, seq++));
  if (t.lost() != 0) state.SkipWithError("unexpected loss");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SequenceTrackerInOrder);

void BM_SequenceTrackerFourStreams(benchmark::State& state) {
  hydra::SequenceTracker t;
  std::array<uint64_t, 4> next{};
  uint32_t stream = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.on_message(1, stream, next[stream]++));
    stream = (stream + 1) & 3;
  }
  if (t.lost() != 0) state.SkipWithError("unexpected loss");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SequenceTrackerFourStreams);

}  // namespace
