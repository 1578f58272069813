// libFuzzer target: the message-header decoder (common/message_header.h)
// every subscriber client runs on every value it polls, whatever the topic
// holds (another producer's bytes, a truncated or huge value). A value it
// accepts must encode back to the same header bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/message_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto h = hydra::decode_header(size ? data : nullptr, size);
  if (!h) return 0;
  uint8_t again[hydra::MessageHeader::kSize];
  hydra::encode_header(*h, again);
  if (std::memcmp(again, data, hydra::MessageHeader::kSize) != 0) std::abort();
  return 0;
}
