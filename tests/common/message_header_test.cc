#include "common/message_header.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace hydra {
namespace {

MessageHeader sample() {
  MessageHeader h;
  h.flags = 0xA1B2;
  h.producer_id = 0x01020304;
  h.partition = 0x0A0B0C0D;
  h.sequence = 0x1122334455667788ULL;
  h.intended_ns = 0x0123456789ABCDEFLL;
  h.actual_ns = -2;  // negative times must survive too
  return h;
}

TEST(MessageHeader, SizeIsFortyBytes) {
  EXPECT_EQ(MessageHeader::kSize, 40u);
}

TEST(MessageHeader, RoundTrip) {
  const MessageHeader h = sample();
  std::array<uint8_t, MessageHeader::kSize> buf{};
  encode_header(h, buf.data());
  const auto back = decode_header(buf.data(), buf.size());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
}

TEST(MessageHeader, RoundTripExtremes) {
  MessageHeader h;
  h.flags = 0xFFFF;
  h.producer_id = std::numeric_limits<uint32_t>::max();
  h.partition = std::numeric_limits<uint32_t>::max();
  h.sequence = std::numeric_limits<uint64_t>::max();
  h.intended_ns = std::numeric_limits<int64_t>::min();
  h.actual_ns = std::numeric_limits<int64_t>::max();
  std::array<uint8_t, MessageHeader::kSize> buf{};
  encode_header(h, buf.data());
  const auto back = decode_header(buf.data(), buf.size());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
}

TEST(MessageHeader, ExactLittleEndianLayout) {
  std::array<uint8_t, MessageHeader::kSize + 4> buf;
  buf.fill(0xEE);
  encode_header(sample(), buf.data());
  const std::array<uint8_t, MessageHeader::kSize> expected = {
      0x52, 0x44, 0x59, 0x48,                          // 0: magic 0x48594452
      0x01, 0x00,                                      // 4: version 1
      0xB2, 0xA1,                                      // 6: flags
      0x04, 0x03, 0x02, 0x01,                          // 8: producer id
      0x0D, 0x0C, 0x0B, 0x0A,                          // 12: partition
      0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // 16: sequence
      0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01,  // 24: intended ns
      0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 32: actual ns (-2)
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(buf[i], expected[i]) << "byte " << i;
  }
  // Nothing written past the header.
  for (size_t i = MessageHeader::kSize; i < buf.size(); ++i) EXPECT_EQ(buf[i], 0xEE) << i;
}

TEST(MessageHeader, BodyAfterHeaderIsIgnored) {
  std::vector<uint8_t> msg(1000, 0x5A);
  encode_header(sample(), msg.data());
  const auto back = decode_header(msg.data(), msg.size());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, sample());
}

TEST(MessageHeader, ForeignInputsAreRejected) {
  std::array<uint8_t, MessageHeader::kSize> buf{};
  encode_header(sample(), buf.data());
  ASSERT_TRUE(decode_header(buf.data(), buf.size()).has_value());

  EXPECT_FALSE(decode_header(nullptr, 40).has_value());
  EXPECT_FALSE(decode_header(nullptr, 0).has_value());
  EXPECT_FALSE(decode_header(buf.data(), 0).has_value());
  EXPECT_FALSE(decode_header(buf.data(), MessageHeader::kSize - 1).has_value());

  for (size_t i = 0; i < 4; ++i) {
    auto bad = buf;
    bad[i] ^= 0x01;
    EXPECT_FALSE(decode_header(bad.data(), bad.size()).has_value()) << "magic byte " << i;
  }
  // Big-endian magic (a writer that got the byte order wrong) is foreign too.
  auto swapped = buf;
  std::reverse(swapped.begin(), swapped.begin() + 4);
  EXPECT_FALSE(decode_header(swapped.data(), swapped.size()).has_value());

  const char text[] = "hello, this is a plain kafka message value";
  EXPECT_FALSE(decode_header(text, sizeof text).has_value());
}

TEST(MessageHeader, UnknownVersionIsRejected) {
  for (uint16_t v : {uint16_t(0), uint16_t(2), uint16_t(0x0100), uint16_t(0xFFFF)}) {
    MessageHeader h = sample();
    h.version = v;
    std::array<uint8_t, MessageHeader::kSize> buf{};
    encode_header(h, buf.data());
    EXPECT_FALSE(decode_header(buf.data(), buf.size()).has_value()) << "version " << v;
  }
}

TEST(MessageHeader, PatchActualTouchesOnlyThatField) {
  std::array<uint8_t, MessageHeader::kSize + 8> buf;
  buf.fill(0x77);
  encode_header(sample(), buf.data());
  const auto before = buf;
  patch_actual_ns(buf.data(), 1'700'000'000'123'456'789);
  for (size_t i = 0; i < buf.size(); ++i) {
    if (i >= 32 && i < 40) continue;
    EXPECT_EQ(buf[i], before[i]) << "byte " << i;
  }
  const auto back = decode_header(buf.data(), MessageHeader::kSize);
  ASSERT_TRUE(back.has_value());
  MessageHeader want = sample();
  want.actual_ns = 1'700'000'000'123'456'789;
  EXPECT_EQ(*back, want);
}

TEST(MessageHeader, DecodesFromUnalignedBuffer) {
  std::array<uint8_t, MessageHeader::kSize + 3> buf{};
  encode_header(sample(), buf.data() + 3);
  const auto back = decode_header(buf.data() + 3, MessageHeader::kSize);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, sample());
}

}  // namespace
}  // namespace hydra
