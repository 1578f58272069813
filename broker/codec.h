// The Kafka wire codec: big-endian integers, varints, strings, arrays and
// nullable bytes, as the public Kafka protocol defines them. Handlers
// (broker/handlers_*.cc) read requests with Reader and build responses with
// Writer; nothing here knows an API.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hydra::broker {

// A request that ends early or carries an impossible length.
struct CodecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads from a borrowed byte range; throws CodecError naming the field type
// that did not fit.
class Reader {
 public:
  Reader(const char* data, size_t size) : p_(data), end_(data + size) {}
  explicit Reader(std::string_view s) : Reader(s.data(), s.size()) {}

  int8_t i8();
  int16_t i16();
  int32_t i32();
  int64_t i64();
  bool boolean() { return i8() != 0; }
  int32_t varint();   // zig-zag
  int64_t varlong();  // zig-zag
  uint32_t uvarint();
  std::string string();                              // int16 length, not null
  std::optional<std::string> nullable_string();      // int16 length, -1 = null
  std::optional<std::string_view> nullable_bytes();  // int32 length, -1 = null
  std::string_view bytes();                          // int32 length, not null
  // An array length (int32); -1 (null) is returned as -1 for callers that
  // accept null arrays. Throws for lengths that cannot fit the rest.
  int32_t array_len(size_t min_elem_size = 1);
  std::string_view take(size_t n);
  size_t remaining() const { return size_t(end_ - p_); }

 private:
  void need(size_t n, const char* what) const;
  const char* p_;
  const char* end_;
};

// Appends to a growing buffer. Length prefixes that are only known at the
// end are reserved with reserve_i32() and filled with patch_i32().
class Writer {
 public:
  void i8(int8_t v) { buf_.push_back(char(v)); }
  void i16(int16_t v);
  void i32(int32_t v);
  void i64(int64_t v);
  void boolean(bool v) { i8(v ? 1 : 0); }
  void varint(int32_t v);
  void uvarint(uint32_t v);
  void string(std::string_view s);
  void nullable_string(const std::optional<std::string>& s);
  void null_string() { i16(-1); }
  void bytes(std::string_view b);
  void null_bytes() { i32(-1); }
  void array_len(int32_t n) { i32(n); }
  void raw(std::string_view b) { buf_.append(b); }
  size_t reserve_i32();
  void patch_i32(size_t at, int32_t v);
  size_t size() const { return buf_.size(); }
  std::string& buffer() { return buf_; }
  std::string take() { return std::move(buf_); }

 private:
  std::string buf_;
};

// Big-endian helpers for code that patches bytes in place (record batches).
inline void put_be64(char* p, int64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = char(v & 0xff);
}
inline int64_t get_be64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(p[i]);
  return int64_t(v);
}
inline int32_t get_be32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | uint8_t(p[i]);
  return int32_t(v);
}
inline int16_t get_be16(const char* p) {
  return int16_t((uint8_t(p[0]) << 8) | uint8_t(p[1]));
}

}  // namespace hydra::broker
