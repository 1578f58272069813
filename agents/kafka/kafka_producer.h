// ProducerDriver over librdkafka: one rd_kafka_t producer, explicit
// partitions (the publisher chooses them so sequences are per partition).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>

#include "agents/kafka/kafka_config.h"
#include "agents/transport.h"

namespace hydra {

class KafkaProducer final : public ProducerDriver {
 public:
  // Throws std::invalid_argument for a bad property, std::runtime_error when
  // librdkafka cannot create the client.
  KafkaProducer(const std::string& bootstrap, const std::string& topic,
                const KafkaPropMap& defaults, const KafkaPropMap& overrides,
                DeliveryFn on_delivery);
  ~KafkaProducer() override;

  // The properties the constructor lays `overrides` over: `defaults` with the
  // bootstrap servers and the statistics interval the byte counts need.
  static KafkaPropMap base_props(const std::string& bootstrap, const KafkaPropMap& defaults);

  SendStatus send(int32_t partition, std::string_view key, const void* value, size_t len) override;
  void poll(int timeout_ms) override { rd_kafka_poll(rk_, timeout_ms); }
  int flush(int timeout_ms) override;
  uint64_t net_tx_bytes() const override { return tx_bytes_.load(std::memory_order_relaxed); }
  uint64_t net_rx_bytes() const override { return rx_bytes_.load(std::memory_order_relaxed); }
  int partition_count(int timeout_ms) override;
  std::string last_error() const override { return last_error_; }

 private:
  static void on_dr(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  static int on_stats(rd_kafka_t*, char* json, size_t len, void* opaque);
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;
  DeliveryFn on_delivery_;
  std::atomic<uint64_t> tx_bytes_{0};
  std::atomic<uint64_t> rx_bytes_{0};
  std::string last_error_;
};

}  // namespace hydra
