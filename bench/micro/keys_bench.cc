// Choosing a message's key runs once per message on the publisher's sending
// thread: round robin (the default) against the drawn distributions, whose
// alias tables make every draw the same few operations whatever the count.
#include <benchmark/benchmark.h>

#include "common/keys.h"

namespace {

void run(benchmark::State& state, const char* distribution) {
  hydra::KeySpec spec;
  spec.count = int(state.range(0));
  spec.distribution = distribution;
  hydra::KeyChooser chooser(spec);
  for (auto _ : state) benchmark::DoNotOptimize(chooser.next());
  state.SetItemsProcessed(state.iterations());
}

void BM_KeyRoundRobin(benchmark::State& state) {
  run(state, "round-robin");
}
void BM_KeyUniform(benchmark::State& state) {
  run(state, "uniform");
}
void BM_KeyZipf(benchmark::State& state) {
  run(state, "zipf");
}
void BM_KeyHot(benchmark::State& state) {
  run(state, "hot");
}
BENCHMARK(BM_KeyRoundRobin)->Arg(1000);
BENCHMARK(BM_KeyUniform)->Arg(1000);
BENCHMARK(BM_KeyZipf)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_KeyHot)->Arg(1000);

}  // namespace
