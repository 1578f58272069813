// ConsumerDriver over librdkafka: one consumer (its own group in HYDRA's
// per-client fan-out, a member of a shared group, or no group protocol at all
// with every partition assigned by hand), positioned explicitly when
// partitions are assigned so readiness is knowable: once ready() is true,
// every message produced afterwards will be read.
//
// A shared group's member commits as subscribers.commit says: "auto"
// (librdkafka's auto-commit of what it handed out), "none", "after-process"
// (at-least-once: a message's offset is stored for the auto-commit only once
// the next poll() shows the caller is done with it) or "before-process"
// (at-most-once: each batch is committed, synchronously, before its first
// message is handed out). A member that gets a partition the group never
// committed starts at the end of the log and, unless commit is "none",
// commits that position at once, so whoever takes the partition over later
// resumes there rather than at the end of the log.
//
// crash_and_rejoin() (a killed member, for the delivery-semantics tests and
// faults) strikes at the moment its commit mode is exposed to: see there.
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
  // subscribers.commit (shared groups only; others never commit).
  std::string commit = "none";
  // isolation.level read_committed (a transactional publisher); otherwise
  // read_uncommitted: everything the broker has counts.
  bool read_committed = false;
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
  std::vector<PausedSpan> paused_spans() const override;
  bool watermarks(std::string_view topic, int32_t partition, int64_t* log_start,
                  int64_t* log_end) const override;
  bool crash_and_rejoin() override;

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
  // Makes the librdkafka consumer (rk_, queue_) on wake_fd_ and subscribes
  // or assigns; throws std::runtime_error. On failure nothing is left.
  void start_client();
  void destroy_client(bool leave);
  // Commits the batch in hand (before-process); false when the commit failed.
  bool commit_batch();
  // Drops the batch in hand, uncounted, and seeks its partitions back to it.
  void rewind_batch();
  void pause_begins(int64_t now_ns);
  void pause_ends(int64_t now_ns);

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
  mutable std::mutex mu_;  // guards assigned_ and paused_ (read by the control thread)
  std::vector<int32_t> assigned_;
  std::vector<PausedSpan> paused_;
  bool closed_ = false;
};

}  // namespace hydra
