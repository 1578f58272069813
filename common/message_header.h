// The 40-byte header at the start of every message value Hydra publishes.
//
// Layout (little-endian), fixed by docs/contracts.md ("Message header"):
//   off size field
//    0   4   magic 0x48594452 (on the wire: 52 44 59 48)
//    4   2   version (1)
//    6   2   flags (bit 0: sensor payload, bit 1: in the window, bits 2-3: body
//            encoding, bits 4-6: body kind; see agents/payload/payload.h)
//    8   4   producer id
//   12   4   partition the publisher chose
//   16   8   sequence, per (producer, partition), from 0, no gaps
//   24   8   intended send time, ns since the Unix epoch (the schedule's slot)
//   32   8   actual send time, ns since the Unix epoch
// The body follows, up to message_size. Subscribers count a value without a
// valid header as "foreign".
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace hydra {

struct MessageHeader {
  static constexpr uint32_t kMagic = 0x48594452;
  static constexpr uint16_t kVersion = 1;
  static constexpr size_t kSize = 40;

  // flags bits
  static constexpr uint16_t kFlagSensorPayload = 1;  // body is a SensorRecord
  // Sent between the publisher's reset and its stop: one of the measured
  // window's messages. A subscriber client that reads it before its own
  // reset keeps its latency for the window (agents/subscriber_client.cc).
  static constexpr uint16_t kFlagInWindow = 2;
  // The body's encoding (0 binary, 1 json, 2 cbor, 3 msgpack) and kind (0:
  // random bytes, or a binary sensor record when bit 0 is set; 1 sensor, 2
  // cpu, 3 order, 4 file lines). Both 0 for the default random binary body,
  // and for the binary sensor record, so those messages are byte for byte
  // what they were before these bits existed.
  static constexpr int kEncodingShift = 2;
  static constexpr uint16_t kEncodingMask = 3 << kEncodingShift;
  static constexpr int kKindShift = 4;
  static constexpr uint16_t kKindMask = 7 << kKindShift;

  uint16_t version = kVersion;
  uint16_t flags = 0;
  uint32_t producer_id = 0;
  uint32_t partition = 0;
  uint64_t sequence = 0;
  int64_t intended_ns = 0;
  int64_t actual_ns = 0;

  bool operator==(const MessageHeader&) const = default;
};

namespace detail {
// memcpy on little-endian hosts: GCC leaves the byte loop rolled at -O2,
// which tripled the cost of encode + decode.
template <typename T>
inline void put_le(uint8_t* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof(T));
  } else {
    for (size_t i = 0; i < sizeof(T); ++i) p[i] = uint8_t(uint64_t(v) >> (8 * i));
  }
}
template <typename T>
inline T get_le(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  } else {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t(p[i]) << (8 * i);
    return T(v);
  }
}
}  // namespace detail

// Writes the header into out[0..40). out must hold at least kSize bytes.
inline void encode_header(const MessageHeader& h, void* out) {
  auto* p = static_cast<uint8_t*>(out);
  detail::put_le<uint32_t>(p + 0, MessageHeader::kMagic);
  detail::put_le<uint16_t>(p + 4, h.version);
  detail::put_le<uint16_t>(p + 6, h.flags);
  detail::put_le<uint32_t>(p + 8, h.producer_id);
  detail::put_le<uint32_t>(p + 12, h.partition);
  detail::put_le<uint64_t>(p + 16, h.sequence);
  detail::put_le<int64_t>(p + 24, h.intended_ns);
  detail::put_le<int64_t>(p + 32, h.actual_ns);
}

// Rewrites only the actual-send-time field, for the publisher's last moment
// before handing the message to the client library.
inline void patch_actual_ns(void* out, int64_t actual_ns) {
  detail::put_le<int64_t>(static_cast<uint8_t*>(out) + 32, actual_ns);
}

// Decodes a header; nullopt when the value is too short, the magic differs or
// the version is unknown (the message is "foreign").
inline std::optional<MessageHeader> decode_header(const void* data, size_t len) {
  if (data == nullptr || len < MessageHeader::kSize) return std::nullopt;
  const auto* p = static_cast<const uint8_t*>(data);
  if (detail::get_le<uint32_t>(p) != MessageHeader::kMagic) return std::nullopt;
  MessageHeader h;
  h.version = detail::get_le<uint16_t>(p + 4);
  if (h.version != MessageHeader::kVersion) return std::nullopt;
  h.flags = detail::get_le<uint16_t>(p + 6);
  h.producer_id = detail::get_le<uint32_t>(p + 8);
  h.partition = detail::get_le<uint32_t>(p + 12);
  h.sequence = detail::get_le<uint64_t>(p + 16);
  h.intended_ns = detail::get_le<int64_t>(p + 24);
  h.actual_ns = detail::get_le<int64_t>(p + 32);
  return h;
}

}  // namespace hydra
