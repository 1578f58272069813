// A minimal Kafka-protocol client for broker tests: one blocking loopback
// connection that sends request frames (header v1) built with the broker's
// own Writer and returns the response body. Tests use it where they need a
// precise request (a given version, a long-poll fetch, a wrong leader) that
// librdkafka would not send on demand. Also builds v2 record batches.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "broker/codec.h"

namespace hydra::broker::test {

class RawClient {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error when refused.
  explicit RawClient(int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Sends a request; returns its correlation id.
  int32_t send(int16_t api_key, int16_t version, const std::string& body);
  // Reads one response frame; returns the body after the correlation id
  // and checks the id. Throws on timeout or a closed connection.
  std::string receive(int32_t correlation_id, std::chrono::milliseconds timeout);
  std::string call(int16_t api_key, int16_t version, const std::string& body,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return receive(send(api_key, version, body), timeout);
  }
  // True when the peer closed the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  int32_t next_corr_ = 1;
};

// CRC-32C (Castagnoli), the checksum of v2 record batches.
uint32_t crc32c(const char* data, size_t size);

// A v2 record batch of `values` (no keys, no headers), uncompressed, with
// the given idempotent-producer fields (-1: none) and a valid CRC.
std::string make_batch(const std::vector<std::string>& values, int64_t producer_id = -1,
                       int16_t producer_epoch = -1, int32_t base_sequence = -1);

// A Produce v7 request body for one partition.
std::string produce_body(const std::string& topic, int32_t partition, const std::string& batch,
                         int16_t acks = 1);
// A Fetch v11 request body for one partition.
std::string fetch_body(const std::string& topic, int32_t partition, int64_t offset,
                       int32_t max_wait_ms, int32_t min_bytes, int32_t max_bytes = 1 << 20);

// The parsed part of a one-partition Produce v7 response.
struct ProduceAnswer {
  int16_t error;
  int64_t base_offset;
};
ProduceAnswer parse_produce(const std::string& body);
// The parsed part of a one-partition Fetch v11 response.
struct FetchAnswer {
  int16_t error;
  int64_t high_watermark;
  std::string records;
};
FetchAnswer parse_fetch(const std::string& body);

}  // namespace hydra::broker::test
