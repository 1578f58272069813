// Header costs: the publisher encodes one per message, every subscriber client
// decodes one per message.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "common/message_header.h"

namespace {

void BM_HeaderEncodeDecode(benchmark::State& state) {
  std::array<uint8_t, 100> buf{};
  hydra::MessageHeader h;
  h.producer_id = 3;
  h.partition = 1;
  h.intended_ns = 1'700'000'000'000'000'000;
  // Let the buffer escape so ClobberMemory() forces the bytes out and back in
  // (otherwise the compiler forwards the fields and times nothing).
  uint8_t* p = buf.data();
  benchmark::DoNotOptimize(p);
  for (auto _ : state) {
    ++h.sequence;
    h.actual_ns = h.intended_ns + int64_t(h.sequence);
    hydra::encode_header(h, p);
    benchmark::ClobberMemory();
    auto back = hydra::decode_header(p, buf.size());
    benchmark::DoNotOptimize(back);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HeaderEncodeDecode);

}  // namespace
