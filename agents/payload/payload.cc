#include "agents/payload/payload.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "common/message_header.h"

namespace hydra {
namespace {

using nlohmann::json;
using sensor_detail::get_u32;
using sensor_detail::get_u64;
using sensor_detail::mix64;
using sensor_detail::put_u32;
using sensor_detail::put_u64;

constexpr const char* kOrderTypes[] = {"market", "limit", "stop"};
constexpr const char* kSides[] = {"buy", "sell"};

void put_f32(uint8_t* p, float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  put_u32(p, u);
}
float get_f32(const uint8_t* p) {
  const uint32_t u = get_u32(p);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
void put_f64(uint8_t* p, double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  put_u64(p, u);
}
double get_f64(const uint8_t* p) {
  const uint64_t u = get_u64(p);
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}

// A fraction in [0, 1) with 24 bits (exact as a float).
float unit(uint64_t h) {
  return float(h & 0xffffff) / float(1 << 24);
}

// The cpu sample's fields, from (seq, key): user + system + idle = 100.
void cpu_values(uint64_t seq, uint32_t key, size_t core, float* user, float* system) {
  const uint64_t h = mix64(seq * 0x9E3779B97F4A7C15ull ^ (uint64_t(key) << 8) ^ core);
  *user = float(int(unit(h) * 7000)) / 100.0f;          // 0..70 %, two decimals
  *system = float(int(unit(h >> 24) * 3000)) / 100.0f;  // 0..30 %
}

struct Order {
  uint64_t id;
  uint32_t customer;
  double amount;
  uint8_t type, side;
};
Order order_values(uint64_t seq, uint32_t key) {
  const uint64_t h = mix64(seq ^ (uint64_t(key) << 32));
  return {seq + 1, key, double(1 + h % 1'000'000) / 100.0, uint8_t((h >> 32) % 3),
          uint8_t((h >> 40) & 1)};
}

void append(std::vector<uint8_t>& out, const json& doc, Encoding e) {
  switch (e) {
    case Encoding::kJson: {
      const std::string s = doc.dump();
      out.insert(out.end(), s.begin(), s.end());
      return;
    }
    case Encoding::kCbor:
      json::to_cbor(doc, out);
      return;
    case Encoding::kMsgpack:
      json::to_msgpack(doc, out);
      return;
    case Encoding::kBinary:
      break;
  }
  throw std::logic_error("append: binary is not a document encoding");
}

std::optional<json> parse(Encoding e, const uint8_t* p, size_t n) {
  json doc;
  switch (e) {
    case Encoding::kJson:
      doc = json::parse(p, p + n, nullptr, /*allow_exceptions=*/false);
      break;
    case Encoding::kCbor:
      doc = json::from_cbor(p, p + n, /*strict=*/true, /*allow_exceptions=*/false);
      break;
    case Encoding::kMsgpack:
      doc = json::from_msgpack(p, p + n, /*strict=*/true, /*allow_exceptions=*/false);
      break;
    case Encoding::kBinary:
      return std::nullopt;
  }
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

// The fields each kind's document must have (a decoded document without
// them is a decode error).
bool well_formed(PayloadKind k, const json& d) {
  if (!d.is_object()) return k == PayloadKind::kFile;
  switch (k) {
    case PayloadKind::kSensor:
      return d.contains("device") && d.contains("ts") && d.contains("channels") &&
             d["channels"].is_array() && d["channels"].size() == size_t(kSensorChannels);
    case PayloadKind::kCpu:
      return d.contains("host") && d.contains("ts") && d.contains("cores") && d["cores"].is_array();
    case PayloadKind::kOrder:
      return d.contains("id") && d.contains("amount") && d.contains("type");
    default:
      return true;
  }
}

size_t binary_size(PayloadKind k) {
  switch (k) {
    case PayloadKind::kSensor:
      return SensorRecord::kSize;
    case PayloadKind::kCpu:
      return kCpuRecordSize;
    case PayloadKind::kOrder:
      return kOrderRecordSize;
    default:
      return 0;
  }
}

json sensor_document(const SensorRecord& r) {
  json ch = json::array();
  for (float c : r.channels) ch.push_back(double(c));
  return {{"device", r.key},
          {"ts", r.timestamp_ns},
          {"outlier", (r.flags & SensorRecord::kFlagOutlier) != 0},
          {"channels", std::move(ch)}};
}

}  // namespace

PayloadKind payload_kind(std::string_view n) {
  if (n == "random") return PayloadKind::kRandom;
  if (n == "sensor") return PayloadKind::kSensor;
  if (n == "cpu") return PayloadKind::kCpu;
  if (n == "order") return PayloadKind::kOrder;
  if (n == "file") return PayloadKind::kFile;
  throw std::invalid_argument(
      "payload: must be one of \"random\", \"sensor\", \"cpu\", \"order\", "
      "\"file\" (got \"" +
      std::string(n) + "\")");
}

Encoding encoding_of(std::string_view n) {
  if (n == "binary") return Encoding::kBinary;
  if (n == "json") return Encoding::kJson;
  if (n == "cbor") return Encoding::kCbor;
  if (n == "msgpack") return Encoding::kMsgpack;
  throw std::invalid_argument(
      "encoding: must be one of \"binary\", \"json\", \"cbor\", \"msgpack\" (got \"" +
      std::string(n) + "\")");
}

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kBinary:
      return "binary";
    case Encoding::kJson:
      return "json";
    case Encoding::kCbor:
      return "cbor";
    case Encoding::kMsgpack:
      return "msgpack";
  }
  return "?";
}

uint16_t body_flags(BodyFormat f) {
  // The default random body and the binary sensor record keep the flags they
  // had before kinds and encodings were written (message_header.h).
  if (f.encoding == Encoding::kBinary) {
    if (f.kind == PayloadKind::kRandom) return 0;
    if (f.kind == PayloadKind::kSensor) return MessageHeader::kFlagSensorPayload;
  }
  return uint16_t((uint16_t(f.encoding) << MessageHeader::kEncodingShift) |
                  (uint16_t(f.kind) << MessageHeader::kKindShift));
}

BodyFormat body_format(uint16_t flags) {
  BodyFormat f;
  f.encoding = Encoding((flags & MessageHeader::kEncodingMask) >> MessageHeader::kEncodingShift);
  const uint16_t kind = (flags & MessageHeader::kKindMask) >> MessageHeader::kKindShift;
  f.kind = kind <= 4 ? PayloadKind(kind) : PayloadKind::kRandom;
  if (kind == 0 && (flags & MessageHeader::kFlagSensorPayload)) f.kind = PayloadKind::kSensor;
  return f;
}

bool has_document(BodyFormat f) {
  if (f.kind == PayloadKind::kRandom) return false;
  if (f.kind == PayloadKind::kFile) return f.encoding != Encoding::kBinary;
  return true;
}

json make_document(PayloadKind kind, uint64_t seq, uint32_t key, int64_t t_ns) {
  switch (kind) {
    case PayloadKind::kSensor: {
      SensorRecord r;
      make_sensor_record(seq, key, t_ns, &r);
      return sensor_document(r);
    }
    case PayloadKind::kCpu: {
      json cores = json::array();
      for (size_t c = 0; c < kCpuCores; ++c) {
        float user, system;
        cpu_values(seq, key, c, &user, &system);
        const float idle = 100.0f - user - system;
        cores.push_back(
            {{"user", double(user)}, {"system", double(system)}, {"idle", double(idle)}});
      }
      return {{"host", key}, {"ts", t_ns}, {"cores", std::move(cores)}};
    }
    case PayloadKind::kOrder: {
      const Order o = order_values(seq, key);
      return {{"id", o.id},
              {"customer", o.customer},
              {"amount", o.amount},
              {"type", kOrderTypes[o.type]},
              {"side", kSides[o.side]}};
    }
    default:
      throw std::invalid_argument("make_document: only sensor, cpu and order have documents");
  }
}

std::vector<std::string> read_payload_lines(const std::string& path, Encoding encoding) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("payload_file: cannot read \"" + path + "\"");
  std::vector<std::string> lines;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (encoding != Encoding::kBinary) {
      const json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (doc.is_discarded())
        throw std::invalid_argument("payload_file: " + path + ":" + std::to_string(number) +
                                    ": not a JSON document (encoding \"" + encoding_name(encoding) +
                                    "\" sends each line as one)");
      std::vector<uint8_t> bytes;
      append(bytes, doc, encoding);
      line.assign(bytes.begin(), bytes.end());
    }
    if (line.size() > size_t(999'900) - MessageHeader::kSize)
      throw std::invalid_argument("payload_file: " + path + ":" + std::to_string(number) +
                                  ": longer than a message may be");
    lines.push_back(std::move(line));
  }
  if (lines.empty())
    throw std::invalid_argument("payload_file: \"" + path + "\" has no non-empty line");
  return lines;
}

PayloadWriter::PayloadWriter(PayloadSpec spec) : spec_(std::move(spec)) {
  flags_ = body_flags(spec_.format);
  const PayloadKind k = spec_.format.kind;
  encodes_ = (k == PayloadKind::kSensor || k == PayloadKind::kCpu || k == PayloadKind::kOrder) &&
             spec_.format.encoding != Encoding::kBinary;
  size_t size = std::max(spec_.message_size, MessageHeader::kSize + binary_size(k));
  if (k == PayloadKind::kFile) size = MessageHeader::kSize;
  buf_.assign(size, 0);
  scratch_.reserve(4096);
  if (k == PayloadKind::kRandom) {
    // xorshift bytes (incompressible), then the compressible share as zeros.
    uint64_t x = 0x9E3779B97F4A7C15ull ^ spec_.producer_id;
    const size_t body = size - MessageHeader::kSize;
    const size_t random_bytes =
        body - std::min(body, size_t(double(body) * spec_.compressibility + 0.5));
    for (size_t i = 0; i < random_bytes; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      buf_[MessageHeader::kSize + i] = uint8_t(x);
    }
  }
  if (k == PayloadKind::kFile && spec_.lines.empty())
    throw std::invalid_argument("payload \"file\": no lines to send");
}

size_t PayloadWriter::write(uint64_t seq, uint32_t key, int64_t t_ns) {
  constexpr size_t H = MessageHeader::kSize;
  const PayloadKind k = spec_.format.kind;
  if (k == PayloadKind::kRandom) return buf_.size();
  if (k == PayloadKind::kFile) {
    const std::string& line = spec_.lines[next_line_];
    if (++next_line_ == spec_.lines.size()) next_line_ = 0;
    buf_.resize(H + line.size());
    std::memcpy(buf_.data() + H, line.data(), line.size());
    return buf_.size();
  }
  if (encodes_) {
    const json doc = make_document(k, seq, key, t_ns);
    scratch_.clear();
    const auto t0 = std::chrono::steady_clock::now();
    append(scratch_, doc, spec_.format.encoding);
    last_encode_ns_ =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    buf_.resize(H + scratch_.size());
    std::memcpy(buf_.data() + H, scratch_.data(), scratch_.size());
    return buf_.size();
  }
  uint8_t* p = buf_.data() + H;
  switch (k) {
    case PayloadKind::kSensor: {
      SensorRecord r;
      make_sensor_record(seq, key, t_ns, &r);
      encode_sensor_record(r, p);
      break;
    }
    case PayloadKind::kCpu: {
      put_u32(p, key);
      put_u32(p + 4, uint32_t(kCpuCores));
      put_u64(p + 8, uint64_t(t_ns));
      for (size_t c = 0; c < kCpuCores; ++c) {
        float user, system;
        cpu_values(seq, key, c, &user, &system);
        put_f32(p + 16 + c * 12, user);
        put_f32(p + 20 + c * 12, system);
        put_f32(p + 24 + c * 12, 100.0f - user - system);
      }
      break;
    }
    case PayloadKind::kOrder: {
      const Order o = order_values(seq, key);
      put_u64(p, o.id);
      put_u64(p + 8, uint64_t(t_ns));
      put_f64(p + 16, o.amount);
      put_u32(p + 24, o.customer);
      p[28] = o.type;
      p[29] = o.side;
      p[30] = p[31] = 0;
      break;
    }
    default:
      break;
  }
  return buf_.size();
}

std::optional<json> decode_document(BodyFormat f, const uint8_t* body, size_t len) {
  if (!has_document(f)) return std::nullopt;
  if (f.encoding != Encoding::kBinary) {
    auto doc = parse(f.encoding, body, len);
    if (!doc || !well_formed(f.kind, *doc)) return std::nullopt;
    return doc;
  }
  if (len < binary_size(f.kind)) return std::nullopt;
  switch (f.kind) {
    case PayloadKind::kSensor: {
      SensorRecord r;
      if (!decode_sensor_record(body, len, &r)) return std::nullopt;
      return sensor_document(r);
    }
    case PayloadKind::kCpu: {
      const uint32_t cores_n = get_u32(body + 4);
      if (cores_n != kCpuCores) return std::nullopt;
      json cores = json::array();
      for (size_t c = 0; c < kCpuCores; ++c) {
        cores.push_back({{"user", double(get_f32(body + 16 + c * 12))},
                         {"system", double(get_f32(body + 20 + c * 12))},
                         {"idle", double(get_f32(body + 24 + c * 12))}});
      }
      return json{
          {"host", get_u32(body)}, {"ts", int64_t(get_u64(body + 8))}, {"cores", std::move(cores)}};
    }
    case PayloadKind::kOrder: {
      if (body[28] > 2 || body[29] > 1) return std::nullopt;
      return json{{"id", get_u64(body)},
                  {"customer", get_u32(body + 24)},
                  {"amount", get_f64(body + 16)},
                  {"type", kOrderTypes[body[28]]},
                  {"side", kSides[body[29]]}};
    }
    default:
      return std::nullopt;
  }
}

bool decode_sensor(BodyFormat f, const uint8_t* body, size_t len, SensorRecord* out) {
  if (f.kind != PayloadKind::kSensor) return false;
  if (f.encoding == Encoding::kBinary) return decode_sensor_record(body, len, out);
  const auto doc = parse(f.encoding, body, len);
  if (!doc || !well_formed(PayloadKind::kSensor, *doc)) return false;
  try {
    out->key = (*doc)["device"].get<uint32_t>();
    out->timestamp_ns = (*doc)["ts"].get<int64_t>();
    out->flags = doc->value("outlier", false) ? SensorRecord::kFlagOutlier : 0;
    for (int i = 0; i < kSensorChannels; ++i) out->channels[i] = (*doc)["channels"][i].get<float>();
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

}  // namespace hydra
