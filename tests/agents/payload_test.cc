// Message bodies (agents/payload/payload.h): every document kind round-trips
// through every encoding; the header flags name the format; the default
// random binary body is what it always was; compressibility compresses.
#include "agents/payload/payload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/message_header.h"

namespace hydra {
namespace {

constexpr size_t H = MessageHeader::kSize;

TEST(Payload, EveryKindRoundTripsThroughEveryEncoding) {
  for (PayloadKind kind : {PayloadKind::kSensor, PayloadKind::kCpu, PayloadKind::kOrder}) {
    for (Encoding enc : {Encoding::kBinary, Encoding::kJson, Encoding::kCbor, Encoding::kMsgpack}) {
      SCOPED_TRACE(std::to_string(int(kind)) + "/" + encoding_name(enc));
      PayloadSpec spec;
      spec.format = {kind, enc};
      spec.message_size = 100;
      PayloadWriter w(spec);
      EXPECT_EQ(w.encodes(), enc != Encoding::kBinary);
      for (uint64_t seq : {0ull, 1ull, 12345ull}) {
        const int64_t t = 1'700'000'000'000'000'000 + int64_t(seq);
        const size_t len = w.write(seq, uint32_t(seq % 7), t);
        ASSERT_GT(len, H);
        const BodyFormat f = body_format(w.flags());
        EXPECT_EQ(f.kind, kind);
        EXPECT_EQ(f.encoding, enc);
        const auto doc = decode_document(f, w.data() + H, len - H);
        ASSERT_TRUE(doc.has_value());
        EXPECT_EQ(*doc, make_document(kind, seq, uint32_t(seq % 7), t)) << doc->dump();
        if (kind == PayloadKind::kSensor) {
          SensorRecord got, want;
          ASSERT_TRUE(decode_sensor(f, w.data() + H, len - H, &got));
          make_sensor_record(seq, uint32_t(seq % 7), t, &want);
          EXPECT_EQ(got.key, want.key);
          EXPECT_EQ(got.timestamp_ns, want.timestamp_ns);
          EXPECT_TRUE(std::equal(got.channels, got.channels + kSensorChannels, want.channels));
        }
      }
      // A body cut short does not decode.
      const size_t len = w.write(9, 1, 5);
      EXPECT_FALSE(decode_document(body_format(w.flags()), w.data() + H, (len - H) / 2));
    }
  }
}

TEST(Payload, DocumentEncodingsDifferInSizeAsExpected) {
  auto size_of = [](Encoding e) {
    PayloadSpec spec;
    spec.format = {PayloadKind::kCpu, e};
    spec.message_size = 40;
    PayloadWriter w(spec);
    return w.write(5, 3, 1'700'000'000'000'000'000);
  };
  EXPECT_EQ(size_of(Encoding::kBinary), H + kCpuRecordSize);
  EXPECT_GT(size_of(Encoding::kJson), size_of(Encoding::kMsgpack));
  EXPECT_GT(size_of(Encoding::kJson), size_of(Encoding::kCbor));
}

TEST(Payload, DefaultRandomBodyAndBinarySensorKeepTheirFlags) {
  EXPECT_EQ(body_flags({PayloadKind::kRandom, Encoding::kBinary}), 0);
  EXPECT_EQ(body_flags({PayloadKind::kSensor, Encoding::kBinary}),
            MessageHeader::kFlagSensorPayload);
  EXPECT_EQ(body_format(MessageHeader::kFlagSensorPayload | MessageHeader::kFlagInWindow).kind,
            PayloadKind::kSensor);
  // The random body: xorshift bytes seeded by the producer id, as before.
  PayloadSpec spec;
  spec.message_size = 64;
  spec.producer_id = 7;
  PayloadWriter w(spec);
  EXPECT_EQ(w.write(0, 0, 0), 64u);
  uint64_t x = 0x9E3779B97F4A7C15ull ^ 7;
  for (size_t i = H; i < 64; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    ASSERT_EQ(w.data()[i], uint8_t(x)) << i;
  }
  EXPECT_FALSE(decode_document(body_format(0), w.data() + H, 24));
}

TEST(Payload, CompressibilityIsTheShareOfZeros) {
  PayloadSpec spec;
  spec.message_size = 1040;
  spec.compressibility = 0.75;
  PayloadWriter w(spec);
  w.write(0, 0, 0);
  const auto zeros = std::count(w.data() + H, w.data() + 1040, 0);
  // 750 zeros plus the few random bytes that happen to be 0.
  EXPECT_GE(zeros, 750);
  EXPECT_LT(zeros, 770);
}

TEST(Payload, FileLinesAreSentInTurnAndJsonLinesAreReencoded) {
  const auto path = std::filesystem::temp_directory_path() / "hydra-payload-test.txt";
  {
    std::ofstream out(path);
    out << "{\"a\": 1}\n\n{\"b\": [1, 2]}\r\n";
  }
  PayloadSpec spec;
  spec.format = {PayloadKind::kFile, Encoding::kMsgpack};
  spec.lines = read_payload_lines(path.string(), Encoding::kMsgpack);
  ASSERT_EQ(spec.lines.size(), 2u);
  PayloadWriter w(spec);
  for (int round = 0; round < 2; ++round) {
    for (const char* want : {R"({"a":1})", R"({"b":[1,2]})"}) {
      const size_t len = w.write(0, 0, 0);
      const auto doc = decode_document(body_format(w.flags()), w.data() + H, len - H);
      ASSERT_TRUE(doc);
      EXPECT_EQ(doc->dump(), want);
    }
  }
  // Raw lines as they are.
  const auto raw = read_payload_lines(path.string(), Encoding::kBinary);
  EXPECT_EQ(raw[1], "{\"b\": [1, 2]}");
  {
    std::ofstream out(path);
    out << "not json\n";
  }
  try {
    read_payload_lines(path.string(), Encoding::kJson);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(":1: not a JSON document"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace hydra
