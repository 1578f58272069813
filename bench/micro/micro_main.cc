// Entry point of hydra_micro_bench; the benchmarks register themselves.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
