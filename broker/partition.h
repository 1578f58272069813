// A partition: its log, its leadership, its idempotent-producer state and
// the fetches waiting for it. Each partition has its own lock, so produce
// and fetch on different partitions never contend; readers share the lock.
// Handlers (broker/handlers_*.cc) call it; ClusterState owns it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "broker/partition_log.h"
#include "broker/record_batch.h"

namespace hydra::broker {

// Per-topic settings (CreateTopics configs "retention.bytes" and
// "retention.ms"; < 0 means no limit).
struct TopicConfig {
  int64_t retention_bytes = -1;
  int64_t retention_ms = -1;
};

// Broker-wide memory use and what retention or the memory cap removed or
// refused; the controller reads these after each step so that loss from
// trimming is never blamed on clients.
struct Accounting {
  int64_t memory_cap = 0;         // bytes of batches the broker may hold
  bool memory_cap_fatal = false;  // produce error when full: fatal or retriable
  std::atomic<int64_t> memory_used{0};
  std::atomic<int64_t> trimmed_records{0}, trimmed_bytes{0};
  std::atomic<int64_t> refused_records{0}, refused_bytes{0};
};

// Someone waiting for data on a partition: a parked Fetch. wake() is called
// by the appending thread, outside the partition lock, and must be cheap.
class Waiter {
 public:
  virtual ~Waiter() = default;
  virtual void wake() = 0;
  virtual bool finished() const = 0;
};

class Partition {
 public:
  Partition(std::string topic, int32_t index, std::vector<int32_t> replicas, Accounting& acc);
  ~Partition();

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  const std::vector<int32_t>& replicas() const { return replicas_; }
  int32_t leader() const { return leader_.load(); }
  int32_t leader_epoch() const { return epoch_.load(); }
  // Moves leadership (-1: none) and bumps the leader epoch.
  void set_leader(int32_t broker_id);

  struct AppendResult {
    int16_t error = 0;
    int64_t base_offset = -1;
    int64_t log_start = 0;
  };
  // Appends one v2 batch: idempotent-producer sequence checks, the memory
  // cap, then byte retention. Wakes waiting fetches on success.
  AppendResult append(std::string_view batch, const BatchHeader& h, const TopicConfig& cfg,
                      int64_t now_ms);

  struct ReadResult {
    int64_t high_watermark = 0;
    int64_t log_start = 0;
    bool out_of_range = false;
    std::vector<BatchData> batches;
    size_t bytes = 0;
  };
  ReadResult read(int64_t offset, size_t max_bytes, bool at_least_one) const;
  int64_t bytes_from(int64_t offset) const;
  int64_t high_watermark() const;
  int64_t log_start() const;
  int64_t offset_for_timestamp(int64_t ts) const;

  // Time retention (called by the broker's housekeeping thread).
  void trim(const TopicConfig& cfg, int64_t now_ms);

  // Registers a waiter until it is finished or gone; woken by every append.
  // Held weakly: a parked fetch holds its partitions, so a strong reference
  // back would be a cycle that outlives the broker. Whoever parks the waiter
  // keeps it alive (the fetch's max-wait timer does).
  void add_waiter(const std::shared_ptr<Waiter>& w);
  // Wakes every waiter (appends do; so do leadership moves and deletion,
  // so waiting fetches answer with the new state at once).
  void wake_all();

 private:
  struct SentBatch {
    int32_t first_seq, last_seq;
    int64_t base_offset;
  };
  struct ProducerState {
    int16_t epoch = -1;
    int32_t last_seq = -1;
    std::deque<SentBatch> recent;  // the last 5 batches, as Kafka keeps them
  };
  // Sequence check; returns an error, or NONE with `dup` set to the offset
  // of an already stored identical batch.
  int16_t check_sequence(const BatchHeader& h, int64_t& dup) const;
  void count_trimmed(const Trimmed& t);

  const std::string topic_;
  const int32_t index_;
  const std::vector<int32_t> replicas_;
  Accounting& acc_;
  std::atomic<int32_t> leader_{-1};
  std::atomic<int32_t> epoch_{0};

  mutable std::shared_mutex mu_;
  PartitionLog log_;
  std::map<int64_t, ProducerState> producers_;

  std::mutex waiters_mu_;
  std::vector<std::weak_ptr<Waiter>> waiters_;
};

}  // namespace hydra::broker
