#include "broker/cluster_state.h"

#include <chrono>
#include <functional>

#include "broker/protocol.h"

namespace hydra::broker {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int16_t BrokerNode::take_error(int16_t api_key) {
  std::lock_guard lk(errors_mu);
  auto it = errors.find(api_key);
  if (it == errors.end() || it->second.empty()) return 0;
  const int16_t e = it->second.front();
  it->second.erase(it->second.begin());
  return e;
}

ClusterState::ClusterState(const Options& o) : opts(o), groups(o.initial_rebalance_delay_ms) {}

BrokerNode* ClusterState::broker(int32_t id) const {
  if (id < 1 || id > int32_t(brokers.size())) return nullptr;
  return brokers[size_t(id - 1)].get();
}

std::vector<int32_t> ClusterState::live_brokers() const {
  std::vector<int32_t> v;
  for (const auto& b : brokers)
    if (b->up) v.push_back(b->id);
  return v;
}

int32_t ClusterState::coordinator_for(const std::string& key) const {
  const auto live = live_brokers();
  if (live.empty()) return -1;
  return live[std::hash<std::string>{}(key) % live.size()];
}

int32_t ClusterState::controller() const {
  const auto live = live_brokers();
  return live.empty() ? -1 : live.front();
}

std::shared_ptr<Topic> ClusterState::topic(const std::string& name) const {
  std::shared_lock lk(topics_mu_);
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Topic>> ClusterState::topics() const {
  std::shared_lock lk(topics_mu_);
  std::vector<std::shared_ptr<Topic>> v;
  for (const auto& [n, t] : topics_) v.push_back(t);
  return v;
}

std::shared_ptr<Partition> ClusterState::partition(const std::string& name, int32_t index) const {
  std::shared_lock lk(topics_mu_);
  auto it = topics_.find(name);
  if (it == topics_.end() || index < 0 || index >= int32_t(it->second->partitions.size()))
    return nullptr;
  return it->second->partitions[size_t(index)];
}

std::string topic_name_problem(const std::string& name) {
  if (name.empty()) return "topic name is empty";
  if (name.size() > 249) return "topic name is longer than 249 characters";
  if (name == "." || name == "..") return "topic name cannot be '.' or '..'";
  for (char c : name)
    if (!(isalnum(uint8_t(c)) || c == '.' || c == '_' || c == '-'))
      return "topic name '" + name + "' has a character outside [a-zA-Z0-9._-]";
  return "";
}

int16_t ClusterState::create_topic(const std::string& name, int partitions, int replication,
                                   const TopicConfig& config, std::string& message) {
  if (auto p = topic_name_problem(name); !p.empty()) {
    message = p;
    return err::kInvalidTopic;
  }
  if (partitions < 1 || partitions > 100000) {
    message = "partitions must be 1..100000, got " + std::to_string(partitions);
    return err::kInvalidPartitions;
  }
  const int n = int(brokers.size());
  if (replication < 1 || replication > n) {
    message = "replication factor must be 1.." + std::to_string(n) + " (the cluster has " +
              std::to_string(n) + " brokers), got " + std::to_string(replication);
    return err::kInvalidReplicationFactor;
  }
  std::unique_lock lk(topics_mu_);
  if (topics_.count(name)) {
    message = "topic '" + name + "' already exists";
    return err::kTopicAlreadyExists;
  }
  auto t = std::make_shared<Topic>();
  t->name = name;
  t->config = config;
  for (int p = 0; p < partitions; ++p) {
    std::vector<int32_t> replicas;
    const int first = (next_leader_ + p) % n;
    for (int r = 0; r < replication; ++r) replicas.push_back(int32_t((first + r) % n) + 1);
    auto part = std::make_shared<Partition>(name, p, replicas, acc);
    int32_t leader = -1;
    for (int32_t id : replicas)
      if (brokers[size_t(id - 1)]->up) {
        leader = id;
        break;
      }
    part->set_leader(leader);
    t->partitions.push_back(std::move(part));
  }
  next_leader_ = (next_leader_ + 1) % n;
  topics_[name] = std::move(t);
  return err::kNone;
}

int16_t ClusterState::delete_topic(const std::string& name) {
  std::shared_ptr<Topic> t;
  {
    std::unique_lock lk(topics_mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return err::kUnknownTopicOrPartition;
    t = it->second;
    topics_.erase(it);
  }
  // Waiting fetches answer at once (with UNKNOWN_TOPIC_OR_PARTITION).
  for (auto& p : t->partitions) p->wake_all();
  return err::kNone;
}

void ClusterState::broker_down(int32_t id) {
  for (const auto& t : topics())
    for (const auto& p : t->partitions) {
      if (p->leader() != id) continue;
      int32_t next = -1;
      for (int32_t r : p->replicas())
        if (r != id && broker(r)->up) {
          next = r;
          break;
        }
      p->set_leader(next);
    }
}

void ClusterState::broker_up(int32_t id) {
  for (const auto& t : topics())
    for (const auto& p : t->partitions) {
      if (p->leader() != -1) continue;
      for (int32_t r : p->replicas())
        if (r == id) p->set_leader(id);
    }
}

}  // namespace hydra::broker
