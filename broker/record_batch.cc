#include "broker/record_batch.h"

#include "broker/codec.h"

namespace hydra::broker {

std::vector<std::string_view> split_batches(std::string_view records) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < records.size()) {
    if (records.size() - at < kBatchHeaderSize)
      throw CodecError("record batch shorter than its 61-byte header");
    const int32_t len = get_be32(records.data() + at + 8);
    const size_t total = size_t(len) + 12;
    if (len < int32_t(kBatchHeaderSize - 12) || total > records.size() - at)
      throw CodecError("record batch length " + std::to_string(len) + " does not fit the request");
    const int8_t magic = int8_t(records[at + 16]);
    if (magic != 2)
      throw CodecError("record batch magic " + std::to_string(magic) +
                       " (this broker stores only v2 batches)");
    out.push_back(records.substr(at, total));
    at += total;
  }
  return out;
}

BatchHeader parse_batch_header(std::string_view b) {
  if (b.size() < kBatchHeaderSize) throw CodecError("record batch shorter than its header");
  const char* p = b.data();
  BatchHeader h;
  h.base_offset = get_be64(p);
  h.length = get_be32(p + 8);
  h.magic = int8_t(p[16]);
  h.attributes = get_be16(p + 21);
  h.last_offset_delta = get_be32(p + 23);
  h.base_timestamp = get_be64(p + 27);
  h.max_timestamp = get_be64(p + 35);
  h.producer_id = get_be64(p + 43);
  h.producer_epoch = get_be16(p + 51);
  h.base_sequence = get_be32(p + 53);
  h.record_count = get_be32(p + 57);
  if (h.last_offset_delta < 0) throw CodecError("record batch with negative lastOffsetDelta");
  return h;
}

}  // namespace hydra::broker
