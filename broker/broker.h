// Hydra's embedded broker: an in-memory Kafka-protocol log server for load
// tests. N brokers listen on loopback ports in this process and speak the
// Kafka protocol to any client (librdkafka, kcat, kafka-python). No disk,
// no durability, no security, no transactions: logs live in memory, and the
// "replicas" of a partition share that memory (a follower "has" a batch the
// moment the leader appends it).
//
// The harness hosts it (harness/embedded_broker.h) for `hydra run` and
// `hydra broker`; tests and a fault timeline use the control methods to
// take brokers down, delay them, push errors and move leaders.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/partition.h"

namespace hydra::broker {

struct Options {
  int brokers = 1;     // 1..16, ids 1..N
  int io_threads = 0;  // 0: the number of cores
  std::string host = "127.0.0.1";
  bool auto_create = false;  // Metadata/Produce for an unknown topic creates it
  int auto_create_partitions = 1;
  int initial_rebalance_delay_ms = 0;  // a new group waits this long before its first rebalance
  int64_t memory_cap_bytes = 0;        // 0: half the machine's memory
  bool memory_cap_fatal = false;       // produce error when full: fatal instead of retriable
};

// What retention trimmed and what the memory cap refused, since start.
struct RetentionStats {
  int64_t trimmed_records = 0, trimmed_bytes = 0;
  int64_t refused_records = 0, refused_bytes = 0;
  int64_t memory_used = 0, memory_cap = 0;
};

class ClusterState;
class Server;

class Cluster {
 public:
  // Binds every broker's listener and starts the I/O threads. Throws
  // std::invalid_argument for bad options and std::runtime_error when a
  // socket cannot be opened.
  explicit Cluster(Options opts = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  std::string bootstrap() const;  // host:port,... of every broker
  int brokers() const;
  int port(int broker_id) const;

  // Throws std::invalid_argument (bad values, replication > brokers) or
  // std::runtime_error (the topic exists).
  void create_topic(const std::string& name, int partitions, int replication,
                    TopicConfig config = {});
  void delete_topic(const std::string& name);
  RetentionStats retention() const;

  // Control interface (tests, fault timelines). Broker ids are 1..N.
  // Down: the listener closes (connection refused), open connections drop,
  // leadership of its partitions moves to a live replica (none: leader -1).
  void set_broker_up(int broker_id, bool up);
  bool broker_up(int broker_id) const;
  // Closes every open client connection of this broker; it stays up, so
  // clients reconnect (a fault timeline's `disconnect`).
  void drop_connections(int broker_id);
  // Every response of this broker is sent `delay` late.
  void set_response_delay(int broker_id, std::chrono::milliseconds delay);
  // The next `count` requests of `api_key` to this broker are answered
  // with `error` in every error field.
  void push_request_errors(int broker_id, int16_t api_key, int16_t error, int count);
  // Moves a partition's leadership to `broker_id` (which must be a replica).
  void move_leader(const std::string& topic, int partition, int broker_id);
  int leader(const std::string& topic, int partition) const;
  int64_t high_watermark(const std::string& topic, int partition) const;

 private:
  std::unique_ptr<ClusterState> state_;
  std::unique_ptr<Server> server_;
};

}  // namespace hydra::broker
