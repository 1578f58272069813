// Everything the brokers of one Cluster share: topics and their
// partitions, the broker nodes with their control settings, accounting,
// the group coordinator. Handlers read it through RequestContext; the topic
// map is behind a reader/writer lock that is held only to look a partition
// up, never while a log is read or written.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/group_coordinator.h"
#include "broker/partition.h"

namespace hydra::broker {

struct Topic {
  std::string name;
  TopicConfig config;
  std::vector<std::shared_ptr<Partition>> partitions;
};

struct BrokerNode {
  int32_t id = 0;
  std::string host;
  int port = 0;
  std::atomic<bool> up{true};
  std::atomic<int> delay_ms{0};
  std::mutex errors_mu;
  std::map<int16_t, std::vector<int16_t>> errors;  // api key -> errors to hand out, in order

  // The next pushed error for this API, or 0.
  int16_t take_error(int16_t api_key);
};

class ClusterState {
 public:
  explicit ClusterState(const Options& opts);

  const Options opts;
  Accounting acc;
  std::vector<std::unique_ptr<BrokerNode>> brokers;  // index = id - 1
  GroupCoordinator groups;
  std::atomic<int64_t> next_producer_id{1000};

  BrokerNode* broker(int32_t id) const;
  std::vector<int32_t> live_brokers() const;
  // The broker that coordinates `key` (a group): a live broker chosen by
  // hash, or -1 when none is up. Group state is shared in this process, so
  // a coordinator move keeps it (as if the offsets topic were replicated).
  int32_t coordinator_for(const std::string& key) const;
  int32_t controller() const;  // the first live broker, or -1

  std::shared_ptr<Topic> topic(const std::string& name) const;
  std::vector<std::shared_ptr<Topic>> topics() const;
  std::shared_ptr<Partition> partition(const std::string& name, int32_t index) const;
  // Creates a topic; returns a Kafka error code and fills `message`.
  int16_t create_topic(const std::string& name, int partitions, int replication,
                       const TopicConfig& config, std::string& message);
  int16_t delete_topic(const std::string& name);

  // Leadership after a broker went down or came back.
  void broker_down(int32_t id);
  void broker_up(int32_t id);

 private:
  mutable std::shared_mutex topics_mu_;
  std::map<std::string, std::shared_ptr<Topic>> topics_;
  int next_leader_ = 0;  // rotates leaders over brokers across topics
};

// Validates a topic name as Kafka does: 1..249 of [a-zA-Z0-9._-], not "."
// or "..". Returns an empty string or the reason.
std::string topic_name_problem(const std::string& name);

int64_t wall_ms();

}  // namespace hydra::broker
