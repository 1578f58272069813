// Message bodies: what follows Hydra's 40-byte header in a message value,
// chosen by publisher.payload and publisher.encoding (docs/contracts.md,
// "Message header" and scenario keys).
//
//   random  bytes fixed when the publisher starts; publisher.compressibility
//           of them are zeros (a run at the end), the rest incompressible
//   sensor  a reading: device id, event time, outlier flag, 12 float channels
//           (binary: the 64-byte SensorRecord the processing stage consumes)
//   cpu     a host's per-core usage sample: 8 cores x user/system/idle
//   order   id, customer, amount, type and side
//   file    the lines of publisher.payload_file, in turn
//
// sensor, cpu and order are documents built per message from (sequence,
// key, send time) and encoded as fixed little-endian "binary" records or as
// "json", "cbor" or "msgpack" (nlohmann-json writes and reads all three).
// The header's flags say which kind and encoding a body is
// (body_flags/body_format), so a subscriber decodes without configuration.
//
// Who calls what: the publisher (agents/publisher.cc) makes one
// PayloadWriter at start and calls write() per message; a subscriber client
// (agents/subscriber_client.cc) calls decode_document() per message when
// subscribers.decode is on, and decode_sensor() to feed its processing
// stage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agents/processing/sensor_record.h"

namespace hydra {

enum class PayloadKind : uint16_t { kRandom = 0, kSensor = 1, kCpu = 2, kOrder = 3, kFile = 4 };
enum class Encoding : uint16_t { kBinary = 0, kJson = 1, kCbor = 2, kMsgpack = 3 };

// From the scenario's names; std::invalid_argument for any other.
PayloadKind payload_kind(std::string_view name);
Encoding encoding_of(std::string_view name);
const char* encoding_name(Encoding e);

struct BodyFormat {
  PayloadKind kind = PayloadKind::kRandom;
  Encoding encoding = Encoding::kBinary;
};
// The header flag bits (message_header.h) that describe a body, and back.
uint16_t body_flags(BodyFormat f);
BodyFormat body_format(uint16_t flags);

// Sizes of the binary records (after the header).
inline constexpr size_t kCpuCores = 8;
inline constexpr size_t kCpuRecordSize = 16 + kCpuCores * 3 * 4;  // 112
inline constexpr size_t kOrderRecordSize = 32;

// The document of message (seq, key, t_ns) of a kind (sensor, cpu, order),
// as JSON values; the binary records decode to the same document.
nlohmann::json make_document(PayloadKind kind, uint64_t seq, uint32_t key, int64_t t_ns);

struct PayloadSpec {
  BodyFormat format;
  size_t message_size = 100;       // binary bodies are padded to it (header included)
  double compressibility = 0;      // random
  std::vector<std::string> lines;  // file (non-empty lines)
  uint32_t producer_id = 0;        // seeds the random body
};

// Reads a payload file's non-empty lines (newline and a trailing CR
// dropped). With a document encoding every line must be a JSON document; it
// is stored in that encoding. Throws std::invalid_argument naming the file
// and line.
std::vector<std::string> read_payload_lines(const std::string& path, Encoding encoding);

// Writes message values into one buffer it owns: [0, 40) is left for the
// header, the body follows.
class PayloadWriter {
 public:
  explicit PayloadWriter(PayloadSpec spec);

  // Fills the body of message (seq, key, t_ns); returns the value's length.
  // The buffer may move: take data() after this.
  size_t write(uint64_t seq, uint32_t key, int64_t t_ns);
  uint8_t* data() { return buf_.data(); }
  // The header flags of this writer's bodies.
  uint16_t flags() const { return flags_; }
  // Whether write() encodes a document per message; then last_encode_ns()
  // is the time the last one took to serialize (document built -> bytes).
  bool encodes() const { return encodes_; }
  int64_t last_encode_ns() const { return last_encode_ns_; }

 private:
  PayloadSpec spec_;
  std::vector<uint8_t> buf_;
  std::vector<uint8_t> scratch_;
  size_t next_line_ = 0;
  uint16_t flags_ = 0;
  bool encodes_ = false;
  int64_t last_encode_ns_ = 0;
};

// Decodes a body (the value after the header) of the given format into its
// document: sensor, cpu and order in any encoding; file lines in a document
// encoding. nullopt when the body does not decode or lacks the kind's
// fields; random bodies and binary file lines have no document (nullopt).
std::optional<nlohmann::json> decode_document(BodyFormat f, const uint8_t* body, size_t len);

// Whether a body of this format has a document to decode.
bool has_document(BodyFormat f);

// A sensor body (any encoding) as the record the processing stage takes.
bool decode_sensor(BodyFormat f, const uint8_t* body, size_t len, SensorRecord* out);

}  // namespace hydra
