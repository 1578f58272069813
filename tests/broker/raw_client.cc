#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace hydra::broker::test {

RawClient::RawClient(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const std::string why = strerror(errno);
    ::close(fd_);
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + why);
  }
}

RawClient::~RawClient() {
  ::close(fd_);
}

int32_t RawClient::send(int16_t key, int16_t version, const std::string& body) {
  Writer w;
  const size_t at = w.reserve_i32();
  w.i16(key);
  w.i16(version);
  const int32_t corr = next_corr_++;
  w.i32(corr);
  w.string("raw-test");
  w.raw(body);
  w.patch_i32(at, int32_t(w.size() - 4));
  const std::string& s = w.buffer();
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    off += size_t(n);
  }
  return corr;
}

static void read_exact(int fd, char* p, size_t n, std::chrono::steady_clock::time_point deadline) {
  while (n > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no response in time");
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, int(left.count())) <= 0) continue;
    const ssize_t r = ::read(fd, p, n);
    if (r <= 0) throw std::runtime_error("connection closed");
    p += r;
    n -= size_t(r);
  }
}

std::string RawClient::receive(int32_t corr, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char hdr[8];
  read_exact(fd_, hdr, 8, deadline);
  const int32_t len = get_be32(hdr);
  if (get_be32(hdr + 4) != corr)
    throw std::runtime_error("correlation id " + std::to_string(get_be32(hdr + 4)) + ", expected " +
                             std::to_string(corr));
  std::string body(size_t(len - 4), '\0');
  read_exact(fd_, body.data(), body.size(), deadline);
  return body;
}

bool RawClient::closed_within(std::chrono::milliseconds timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, int(timeout.count())) <= 0) return false;
  char c;
  return ::read(fd_, &c, 1) == 0;
}

uint32_t crc32c(const char* data, size_t size) {
  static uint32_t table[256];
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ uint8_t(data[i])) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string make_batch(const std::vector<std::string>& values, int64_t pid, int16_t epoch,
                       int32_t seq) {
  Writer records;
  for (size_t i = 0; i < values.size(); ++i) {
    Writer r;
    r.i8(0);               // attributes
    r.varint(0);           // timestamp delta
    r.varint(int32_t(i));  // offset delta
    r.varint(-1);          // key: null
    r.varint(int32_t(values[i].size()));
    r.raw(values[i]);
    r.varint(0);  // headers
    records.varint(int32_t(r.size()));
    records.raw(r.buffer());
  }
  Writer b;
  b.i64(0);  // baseOffset: the broker assigns it
  const size_t len_at = b.reserve_i32();
  b.i32(0);  // partitionLeaderEpoch
  b.i8(2);   // magic
  const size_t crc_at = b.reserve_i32();
  b.i16(0);                           // attributes
  b.i32(int32_t(values.size()) - 1);  // lastOffsetDelta
  b.i64(1700000000000);               // baseTimestamp
  b.i64(1700000000000);               // maxTimestamp
  b.i64(pid);
  b.i16(epoch);
  b.i32(seq);
  b.i32(int32_t(values.size()));
  b.raw(records.buffer());
  b.patch_i32(len_at, int32_t(b.size() - 12));
  const std::string& s = b.buffer();
  b.patch_i32(crc_at, int32_t(crc32c(s.data() + 21, s.size() - 21)));
  return b.take();
}

std::string produce_body(const std::string& topic, int32_t partition, const std::string& batch,
                         int16_t acks) {
  Writer w;
  w.null_string();  // transactional_id
  w.i16(acks);
  w.i32(5000);
  w.array_len(1);
  w.string(topic);
  w.array_len(1);
  w.i32(partition);
  w.bytes(batch);
  return w.take();
}

std::string fetch_body(const std::string& topic, int32_t partition, int64_t offset,
                       int32_t max_wait_ms, int32_t min_bytes, int32_t max_bytes) {
  Writer w;
  w.i32(-1);  // replica_id
  w.i32(max_wait_ms);
  w.i32(min_bytes);
  w.i32(max_bytes);
  w.i8(0);    // isolation_level
  w.i32(0);   // session_id
  w.i32(-1);  // session_epoch
  w.array_len(1);
  w.string(topic);
  w.array_len(1);
  w.i32(partition);
  w.i32(-1);  // current_leader_epoch
  w.i64(offset);
  w.i64(-1);  // log_start_offset
  w.i32(max_bytes);
  w.array_len(0);  // forgotten topics
  w.string("");    // rack_id
  return w.take();
}

ProduceAnswer parse_produce(const std::string& body) {
  Reader r(body);
  r.array_len();
  r.string();
  r.array_len();
  r.i32();
  ProduceAnswer a;
  a.error = r.i16();
  a.base_offset = r.i64();
  return a;
}

FetchAnswer parse_fetch(const std::string& body) {
  Reader r(body);
  r.i32();  // throttle
  r.i16();  // error
  r.i32();  // session
  r.array_len();
  r.string();
  r.array_len();
  r.i32();
  FetchAnswer a;
  a.error = r.i16();
  a.high_watermark = r.i64();
  r.i64();  // last stable
  r.i64();  // log start
  const int32_t aborted = r.array_len();
  for (int32_t i = 0; i < aborted; ++i) {
    r.i64();
    r.i64();
  }
  r.i32();  // preferred read replica
  auto rec = r.nullable_bytes();
  a.records = rec ? std::string(*rec) : std::string();
  return a;
}

}  // namespace hydra::broker::test
