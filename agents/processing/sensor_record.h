// The binary sensor record that follows Hydra's 40-byte message header when
// publisher.payload = "sensor" (header flag kFlagSensorPayload). The publisher
// writes it with make_sensor_record() + encode_sensor_record(); a subscriber
// client decodes it and hands it to its processing stage (processor.h).
//
// Wire layout (64 bytes, little-endian), right after the message header:
//   off size field
//    0   4   key            the message key (the publisher's key index)
//    4   4   flags          bit 0: the generator planted an outlier
//    8   8   timestamp_ns   event time, ns since the Unix epoch
//   16  48   channels[12]   IEEE-754 binary32 readings
//
// The in-memory struct has the same layout, so on little-endian hosts records
// are copied by length (64 bytes). This header is also compiled by nvcc
// (C++17), so it avoids C++20-only library features.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hydra {

inline constexpr int kSensorChannels = 12;

struct SensorRecord {
  uint32_t key = 0;
  uint32_t flags = 0;
  int64_t timestamp_ns = 0;
  float channels[kSensorChannels] = {};

  static constexpr size_t kSize = 64;
  static constexpr uint32_t kFlagOutlier = 1;  // set by make_sensor_record
};
static_assert(sizeof(SensorRecord) == SensorRecord::kSize, "SensorRecord must be 64 bytes");
static_assert(offsetof(SensorRecord, timestamp_ns) == 8, "layout");
static_assert(offsetof(SensorRecord, channels) == 16, "layout");

namespace sensor_detail {
inline constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

inline void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(p[i]) << (8 * i);
  return v;
}
inline uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// splitmix64's finaliser: a cheap, well-mixed 64-bit hash.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}
// Uniform in [-1, 1) from a 24-bit value (exact in binary32).
inline float unit24(uint32_t v) {
  return float(int32_t(v & 0xffffff) - (1 << 23)) * (1.0f / (1 << 23));
}
}  // namespace sensor_detail

// Writes r into out[0..64). out must hold at least SensorRecord::kSize bytes.
inline void encode_sensor_record(const SensorRecord& r, void* out) {
  auto* p = static_cast<uint8_t*>(out);
  if constexpr (sensor_detail::kLittleEndian) {
    std::memcpy(p, &r, SensorRecord::kSize);
  } else {
    sensor_detail::put_u32(p + 0, r.key);
    sensor_detail::put_u32(p + 4, r.flags);
    sensor_detail::put_u64(p + 8, uint64_t(r.timestamp_ns));
    for (int c = 0; c < kSensorChannels; ++c) {
      uint32_t bits;
      std::memcpy(&bits, &r.channels[c], 4);
      sensor_detail::put_u32(p + 16 + 4 * c, bits);
    }
  }
}

// Reads a record from data[0..len); false when len < 64 (the body is too short
// to hold one). Bytes after the first 64 are ignored.
inline bool decode_sensor_record(const void* data, size_t len, SensorRecord* out) {
  if (data == nullptr || len < SensorRecord::kSize) return false;
  const auto* p = static_cast<const uint8_t*>(data);
  if constexpr (sensor_detail::kLittleEndian) {
    std::memcpy(out, p, SensorRecord::kSize);
  } else {
    out->key = sensor_detail::get_u32(p + 0);
    out->flags = sensor_detail::get_u32(p + 4);
    out->timestamp_ns = int64_t(sensor_detail::get_u64(p + 8));
    for (int c = 0; c < kSensorChannels; ++c) {
      uint32_t bits = sensor_detail::get_u32(p + 16 + 4 * c);
      std::memcpy(&out->channels[c], &bits, 4);
    }
  }
  return true;
}

// Deterministic synthetic reading for (sequence, key): each key has its own
// per-channel baseline in [-5, 5), plus uniform noise in [-1, 1) that depends
// on (sequence, key, channel). About 1 record in 1000 carries an outlier: one
// channel offset by +-20 (some 35 standard deviations of the noise), flagged
// in r.flags so tests can check the zscore kind finds it. Cheap enough for the
// publisher's send loop (13 rounds of a 64-bit mixer).
inline void make_sensor_record(uint64_t sequence, uint32_t key, int64_t ts_ns, SensorRecord* out) {
  using namespace sensor_detail;
  const uint64_t seed = mix64(sequence * 0x9e3779b97f4a7c15ULL ^ (uint64_t(key) << 32 | key));
  out->key = key;
  out->flags = 0;
  out->timestamp_ns = ts_ns;
  // Each hash yields two 24-bit uniforms: channels 2i and 2i+1.
  for (int i = 0; i < kSensorChannels / 2; ++i) {
    const uint64_t b = mix64((uint64_t(key) << 4 | uint64_t(i)) + 0x5e45a0);   // key baseline
    const uint64_t n = mix64(seed + uint64_t(i + 1) * 0x9e3779b97f4a7c15ULL);  // noise
    out->channels[2 * i] = 5.0f * unit24(uint32_t(b >> 40)) + unit24(uint32_t(n >> 40));
    out->channels[2 * i + 1] = 5.0f * unit24(uint32_t(b >> 8)) + unit24(uint32_t(n >> 8));
  }
  if (seed % 1000 == 7) {
    const int c = int((seed >> 20) % kSensorChannels);
    out->channels[c] += (seed >> 40) & 1 ? 20.0f : -20.0f;
    out->flags |= SensorRecord::kFlagOutlier;
  }
}

}  // namespace hydra
