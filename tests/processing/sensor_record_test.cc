#include "agents/processing/sensor_record.h"

#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

namespace hydra {
namespace {

SensorRecord sample() {
  SensorRecord r;
  r.key = 0x01020304;
  r.flags = 0xa0b0c0d0;
  r.timestamp_ns = 0x1122334455667788;
  for (int c = 0; c < kSensorChannels; ++c) r.channels[c] = 1.5f * float(c) - 3.25f;
  return r;
}

TEST(SensorRecord, Is64Bytes) {
  EXPECT_EQ(sizeof(SensorRecord), 64u);
}

TEST(SensorRecord, EncodeIsLittleEndianAtTheDocumentedOffsets) {
  const SensorRecord r = sample();
  uint8_t buf[64];
  encode_sensor_record(r, buf);
  EXPECT_EQ(buf[0], 0x04);
  EXPECT_EQ(buf[3], 0x01);
  EXPECT_EQ(buf[4], 0xd0);
  EXPECT_EQ(buf[7], 0xa0);
  EXPECT_EQ(buf[8], 0x88);
  EXPECT_EQ(buf[15], 0x11);
  for (int c = 0; c < kSensorChannels; ++c) {
    uint32_t bits;
    std::memcpy(&bits, &r.channels[c], 4);
    const uint8_t* p = buf + 16 + 4 * c;
    EXPECT_EQ(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24,
              bits)
        << "channel " << c;
  }
}

TEST(SensorRecord, RoundTrips) {
  const SensorRecord r = sample();
  uint8_t buf[80] = {};
  encode_sensor_record(r, buf);
  SensorRecord back;
  ASSERT_TRUE(decode_sensor_record(buf, sizeof(buf), &back));  // trailing bytes ignored
  EXPECT_EQ(back.key, r.key);
  EXPECT_EQ(back.flags, r.flags);
  EXPECT_EQ(back.timestamp_ns, r.timestamp_ns);
  for (int c = 0; c < kSensorChannels; ++c) EXPECT_EQ(back.channels[c], r.channels[c]);
}

TEST(SensorRecord, DecodeRejectsShortBodies) {
  uint8_t buf[64] = {};
  SensorRecord r;
  EXPECT_FALSE(decode_sensor_record(buf, 63, &r));
  EXPECT_FALSE(decode_sensor_record(nullptr, 64, &r));
  EXPECT_TRUE(decode_sensor_record(buf, 64, &r));
}

TEST(SensorRecord, MakeIsDeterministic) {
  SensorRecord a, b, c;
  make_sensor_record(12345, 7, 99, &a);
  make_sensor_record(12345, 7, 99, &b);
  make_sensor_record(12346, 7, 99, &c);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
  EXPECT_NE(std::memcmp(&a, &c, sizeof(a)), 0);
  EXPECT_EQ(a.key, 7u);
  EXPECT_EQ(a.timestamp_ns, 99);
}

TEST(SensorRecord, ValuesAreBoundedAndOutliersAreRare) {
  constexpr int kN = 200000;
  int outliers = 0;
  for (int i = 0; i < kN; ++i) {
    SensorRecord r;
    make_sensor_record(uint64_t(i), uint32_t(i % 64), 0, &r);
    const bool outlier = r.flags & SensorRecord::kFlagOutlier;
    outliers += outlier;
    int far = 0;
    for (float v : r.channels) {
      ASSERT_TRUE(std::isfinite(v));
      far += std::fabs(v) > 6.0f;
    }
    EXPECT_EQ(far, outlier ? 1 : 0) << "record " << i;
  }
  EXPECT_GT(outliers, kN / 2000);  // about 1 in 1000
  EXPECT_LT(outliers, kN / 500);
}

TEST(SensorRecord, KeysHaveDistinctBaselines) {
  // Mean of channel 0 over many sequences tracks the key's baseline, which
  // differs between keys (so per-key state matters).
  double m[2] = {0, 0};
  for (uint32_t key = 0; key < 2; ++key)
    for (int i = 0; i < 4000; ++i) {
      SensorRecord r;
      make_sensor_record(uint64_t(i), key, 0, &r);
      m[key] += r.channels[0] / 4000.0;
    }
  EXPECT_GT(std::fabs(m[0] - m[1]), 0.05);
}

}  // namespace
}  // namespace hydra
