// The header of a v2 record batch, as the Kafka protocol lays it out. The
// log stores batches exactly as producers sent them; only the 8-byte
// baseOffset is rewritten (the CRC covers the bytes after the CRC field, so
// the patch leaves it valid) — compressed batches pass through untouched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hydra::broker {

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t length = 0;  // bytes after the length field
  int8_t magic = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int64_t records() const { return int64_t(last_offset_delta) + 1; }
  bool transactional() const { return attributes & 0x10; }
  bool control() const { return attributes & 0x20; }
  size_t total_size() const { return size_t(length) + 12; }
};

constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kBaseOffsetAt = 0;

// Splits a produce request's records field into batches. Throws
// CodecError (broker/codec.h) for a truncated batch or a magic other than 2.
std::vector<std::string_view> split_batches(std::string_view records);
// Reads the header of one batch (at least kBatchHeaderSize bytes).
BatchHeader parse_batch_header(std::string_view batch);

}  // namespace hydra::broker
