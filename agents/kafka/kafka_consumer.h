// ConsumerDriver over librdkafka: one consumer (its own group in HYDRA's
// per-client fan-out, a member of a shared group, or no group protocol at all
// with every partition assigned by hand), positioned explicitly when
// partitions are assigned so readiness is knowable: once ready() is true,
// every message produced afterwards will be read.
//
// Messages are taken from librdkafka in batches (rd_kafka_consume_batch_queue)
// and the clock is read once after each batch returns, so a receive time is
// never earlier than the message's arrival. The consumer queue signals an
// eventfd (wait_fd) when it goes from empty to non-empty, so one thread waits
// on many consumers (agents/subscriber_loop.h).
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
  // subscribers.groups "none": no subscribe, no group protocol; every
  // partition is assigned at the end of its log when the consumer is made.
  bool manual_assign = false;
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
  int wait_fd() const override { return wake_fd_; }
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
  void assign_all_at_end();
  void mark_assigned(const rd_kafka_topic_partition_list_t* parts);
  void drop_batch();

  static constexpr int kBatch = 64;

  KafkaConsumerOptions opts_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;  // the consumer queue
  int wake_fd_ = -1;
  // The last batch: batch_[next_ - 1] is the message handed out last (valid
  // until the next poll), batch_[next_ .. count_) are still to hand out.
  rd_kafka_message_t* batch_[kBatch] = {};
  int count_ = 0;
  int next_ = 0;
  int64_t batch_ns_ = 0;  // wall clock read after the batch returned
  std::atomic<bool> ready_{false};
  mutable std::mutex mu_;  // guards assigned_ (read by the control thread)
  std::vector<int32_t> assigned_;
  bool closed_ = false;
};

}  // namespace hydra
