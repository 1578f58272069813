// ConsumerDriver over librdkafka: one high-level consumer (its own group in
// HYDRA's per-client fan-out, or a member of a shared group), positioned
// explicitly when partitions are assigned so readiness is knowable: once
// ready() is true, every message produced afterwards will be read.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "agents/kafka/kafka_config.h"
#include "agents/transport.h"

namespace hydra {

struct KafkaConsumerOptions {
  std::string bootstrap;
  std::string topic;
  std::string group_id;
  // Shared groups resume from committed offsets after a rebalance; a
  // per-client group has nothing to resume and commits nothing.
  bool shared_group = false;
  // Consumers in this process: they share one memory budget for pre-fetched
  // messages (see default_props).
  int clients_in_process = 1;
  KafkaPropMap overrides;  // user's pass-through properties
};

class KafkaConsumer final : public ConsumerDriver {
 public:
  // Throws std::invalid_argument for a bad property, std::runtime_error when
  // the client cannot be created or cannot subscribe.
  explicit KafkaConsumer(const KafkaConsumerOptions& opts);
  ~KafkaConsumer() override;

  bool poll(int timeout_ms, Received& out) override;
  bool ready() const override { return ready_.load(std::memory_order_acquire); }
  std::vector<int32_t> assigned() const override;
  bool seek_to_end(int timeout_ms) override;
  void close() override;

  // Hydra's defaults for a consumer; exposed so the benchmark's raw loop uses
  // the very same settings.
  static KafkaPropMap default_props(const KafkaConsumerOptions& opts);

 private:
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque);
  void position_at_end(rd_kafka_topic_partition_list_t* parts);

  KafkaConsumerOptions opts_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_message_t* current_ = nullptr;
  std::atomic<bool> ready_{false};
  mutable std::mutex mu_;  // guards assigned_ (read by the control thread)
  std::vector<int32_t> assigned_;
  bool closed_ = false;
};

}  // namespace hydra
