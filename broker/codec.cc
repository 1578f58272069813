#include "broker/codec.h"

namespace hydra::broker {

void Reader::need(size_t n, const char* what) const {
  if (remaining() < n)
    throw CodecError(std::string("request ends inside a field of type ") + what + " (needs " +
                     std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left)");
}

int8_t Reader::i8() {
  need(1, "int8");
  return int8_t(*p_++);
}
int16_t Reader::i16() {
  need(2, "int16");
  const int16_t v = get_be16(p_);
  p_ += 2;
  return v;
}
int32_t Reader::i32() {
  need(4, "int32");
  const int32_t v = get_be32(p_);
  p_ += 4;
  return v;
}
int64_t Reader::i64() {
  need(8, "int64");
  const int64_t v = get_be64(p_);
  p_ += 8;
  return v;
}

uint32_t Reader::uvarint() {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    need(1, "varint");
    const uint8_t b = uint8_t(*p_++);
    v |= uint32_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw CodecError("varint longer than 5 bytes");
}

int32_t Reader::varint() {
  const uint32_t u = uvarint();
  return int32_t((u >> 1) ^ -(u & 1));
}

int64_t Reader::varlong() {
  uint64_t u = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    need(1, "varlong");
    const uint8_t b = uint8_t(*p_++);
    u |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return int64_t((u >> 1) ^ -(u & 1));
  }
  throw CodecError("varlong longer than 10 bytes");
}

std::string_view Reader::take(size_t n) {
  need(n, "bytes");
  std::string_view v(p_, n);
  p_ += n;
  return v;
}

std::string Reader::string() {
  const int16_t n = i16();
  if (n < 0) throw CodecError("null string where a string is required");
  return std::string(take(size_t(n)));
}

std::optional<std::string> Reader::nullable_string() {
  const int16_t n = i16();
  if (n < 0) return std::nullopt;
  return std::string(take(size_t(n)));
}

std::optional<std::string_view> Reader::nullable_bytes() {
  const int32_t n = i32();
  if (n < 0) return std::nullopt;
  return take(size_t(n));
}

std::string_view Reader::bytes() {
  auto b = nullable_bytes();
  if (!b) throw CodecError("null bytes where bytes are required");
  return *b;
}

int32_t Reader::array_len(size_t min_elem_size) {
  const int32_t n = i32();
  if (n < -1) throw CodecError("negative array length " + std::to_string(n));
  if (n > 0 && size_t(n) * min_elem_size > remaining())
    throw CodecError("array length " + std::to_string(n) + " exceeds the request");
  return n;
}

void Writer::i16(int16_t v) {
  buf_.push_back(char((uint16_t(v) >> 8) & 0xff));
  buf_.push_back(char(v & 0xff));
}
void Writer::i32(int32_t v) {
  for (int s = 24; s >= 0; s -= 8) buf_.push_back(char((uint32_t(v) >> s) & 0xff));
}
void Writer::i64(int64_t v) {
  for (int s = 56; s >= 0; s -= 8) buf_.push_back(char((uint64_t(v) >> s) & 0xff));
}
void Writer::uvarint(uint32_t v) {
  while (v >= 0x80) {
    buf_.push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(char(v));
}
void Writer::varint(int32_t v) {
  uvarint((uint32_t(v) << 1) ^ uint32_t(v >> 31));
}

void Writer::string(std::string_view s) {
  i16(int16_t(s.size()));
  buf_.append(s);
}
void Writer::nullable_string(const std::optional<std::string>& s) {
  if (!s) return null_string();
  string(*s);
}
void Writer::bytes(std::string_view b) {
  i32(int32_t(b.size()));
  buf_.append(b);
}
size_t Writer::reserve_i32() {
  const size_t at = buf_.size();
  buf_.append(4, '\0');
  return at;
}
void Writer::patch_i32(size_t at, int32_t v) {
  for (int i = 0; i < 4; ++i) buf_[at + i] = char((uint32_t(v) >> (24 - 8 * i)) & 0xff);
}

}  // namespace hydra::broker
