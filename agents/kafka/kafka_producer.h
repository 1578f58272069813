// ProducerDriver over librdkafka: one rd_kafka_t producer, explicit
// partitions (the publisher chooses them so sequences are per partition).
// Made by the Kafka driver (kafka_driver.cc) for the publisher agent.
//
// Exactly-once: when the properties set `transactional.id`, the producer
// initializes transactions at construction and sends every message inside
// one. A transaction is committed every kTxnMaxMs or kTxnMaxMessages
// messages, whichever comes first (from send() or poll(), on the sending
// thread: a commit's wait shows as schedule slip, send_delay), and by
// flush() (the publisher's stop), which counts the messages of a transaction
// not yet committed as outstanding. One still open at destruction is aborted.
// A commit that fails and requires an abort is aborted (its messages are
// then never visible to read_committed consumers: the subscribers count them
// as lost); a fatal error makes every later send() fail with it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "agents/kafka/kafka_config.h"
#include "agents/transport.h"

namespace hydra {

class KafkaProducer final : public ProducerDriver {
 public:
  // Throws std::invalid_argument for a bad property, std::runtime_error when
  // librdkafka cannot create the client.
  // `topic` may list several topics (common/topics.h); send()'s partition
  // is then a stream, topic index x partitions_per_topic + partition.
  KafkaProducer(const std::string& bootstrap, const std::string& topic,
                const KafkaPropMap& defaults, const KafkaPropMap& overrides, DeliveryFn on_delivery,
                int partitions_per_topic = 0);
  ~KafkaProducer() override;

  // The properties the constructor lays `overrides` over: `defaults` with the
  // bootstrap servers and the statistics interval the byte counts need.
  static KafkaPropMap base_props(const std::string& bootstrap, const KafkaPropMap& defaults,
                                 const KafkaPropMap& overrides);
  // Whether the properties set a transactional.id (exactly-once).
  static bool is_transactional(const KafkaPropMap& defaults, const KafkaPropMap& overrides);

  SendStatus send(int32_t partition, std::string_view key, const void* value, size_t len) override;
  void poll(int timeout_ms) override;
  int flush(int timeout_ms) override;
  uint64_t net_tx_bytes() const override { return tx_bytes_.load(std::memory_order_relaxed); }
  uint64_t net_rx_bytes() const override { return rx_bytes_.load(std::memory_order_relaxed); }
  int partition_count(int timeout_ms) override;
  std::string last_error() const override { return last_error_; }

  // The default bounds of one transaction (see above).
  static constexpr int kTxnMaxMs = 100;
  static constexpr uint64_t kTxnMaxMessages = 10000;
  // Other bounds (tests that need a transaction to stay open).
  void set_transaction_bounds(std::chrono::milliseconds max_age, uint64_t max_messages) {
    txn_max_age_ = max_age;
    txn_max_messages_ = max_messages;
  }

 private:
  // Transactions (only when transactional_). Each returns false and sets
  // last_error_ when librdkafka refused.
  bool begin_transaction();
  // Commits the open transaction, waiting up to timeout_ms. A commit that
  // timed out stays open (retried by the next call).
  bool commit_transaction(int timeout_ms);
  void maybe_commit();
  void fail_transaction(rd_kafka_error_t* error, const char* what);

  static void on_dr(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  static int on_stats(rd_kafka_t*, char* json, size_t len, void* opaque);
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;             // the first (or only) topic
  std::vector<rd_kafka_topic_t*> more_topics_;  // topic.count > 1: the others
  int partitions_per_topic_ = 0;
  DeliveryFn on_delivery_;
  std::atomic<uint64_t> tx_bytes_{0};
  std::atomic<uint64_t> rx_bytes_{0};
  std::string last_error_;

  bool transactional_ = false;
  bool txn_open_ = false;
  bool txn_fatal_ = false;  // a fatal transaction error: every send fails
  uint64_t txn_messages_ = 0;
  std::chrono::steady_clock::time_point txn_started_;
  std::chrono::milliseconds txn_max_age_{kTxnMaxMs};
  uint64_t txn_max_messages_ = kTxnMaxMessages;
};

}  // namespace hydra
