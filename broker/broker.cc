#include "broker/broker.h"

#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "broker/cluster_state.h"
#include "broker/protocol.h"
#include "broker/server.h"

namespace hydra::broker {

namespace {
int64_t half_of_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return int64_t(4) << 30;
  return int64_t(pages) * size / 2;
}
}  // namespace

Cluster::Cluster(Options o) {
  if (o.brokers < 1 || o.brokers > 16)
    throw std::invalid_argument("brokers: must be 1..16 (got " + std::to_string(o.brokers) + ")");
  if (o.io_threads < 0) throw std::invalid_argument("io_threads: must be >= 0 (0: one per core)");
  if (o.initial_rebalance_delay_ms < 0)
    throw std::invalid_argument("initial_rebalance_delay_ms: must be >= 0");
  if (o.memory_cap_bytes < 0) throw std::invalid_argument("memory_cap_bytes: must be >= 0");
  if (o.auto_create_partitions < 1)
    throw std::invalid_argument("auto_create_partitions: must be >= 1");
  if (o.io_threads == 0) o.io_threads = int(std::max(1u, std::thread::hardware_concurrency()));
  state_ = std::make_unique<ClusterState>(o);
  state_->acc.memory_cap = o.memory_cap_bytes ? o.memory_cap_bytes : half_of_memory();
  state_->acc.memory_cap_fatal = o.memory_cap_fatal;
  for (int i = 1; i <= o.brokers; ++i) {
    auto b = std::make_unique<BrokerNode>();
    b->id = i;
    b->host = o.host;
    state_->brokers.push_back(std::move(b));
  }
  server_ = std::make_unique<Server>(*state_, o.io_threads);
}

Cluster::~Cluster() {
  server_.reset();
}

std::string Cluster::bootstrap() const {
  std::string s;
  for (const auto& b : state_->brokers) {
    if (!s.empty()) s += ",";
    s += b->host + ":" + std::to_string(b->port);
  }
  return s;
}

int Cluster::brokers() const {
  return int(state_->brokers.size());
}

static BrokerNode& node(const ClusterState& st, int id) {
  BrokerNode* b = st.broker(id);
  if (!b)
    throw std::invalid_argument("broker id must be 1.." + std::to_string(st.brokers.size()) +
                                ", got " + std::to_string(id));
  return *b;
}

int Cluster::port(int broker_id) const {
  return node(*state_, broker_id).port;
}

void Cluster::create_topic(const std::string& name, int partitions, int replication,
                           TopicConfig config) {
  std::string msg;
  const int16_t e = state_->create_topic(name, partitions, replication, config, msg);
  if (e == err::kTopicAlreadyExists) throw std::runtime_error(msg);
  if (e != err::kNone) throw std::invalid_argument(msg);
}

void Cluster::delete_topic(const std::string& name) {
  if (state_->delete_topic(name) != err::kNone)
    throw std::invalid_argument("no topic named '" + name + "'");
}

RetentionStats Cluster::retention() const {
  const Accounting& a = state_->acc;
  return RetentionStats{a.trimmed_records.load(), a.trimmed_bytes.load(), a.refused_records.load(),
                        a.refused_bytes.load(),   a.memory_used.load(),   a.memory_cap};
}

void Cluster::set_broker_up(int id, bool up) {
  node(*state_, id);
  server_->set_broker_up(id, up);
}

void Cluster::drop_connections(int id) {
  node(*state_, id);
  server_->drop_connections(id);
}

bool Cluster::broker_up(int id) const {
  return node(*state_, id).up;
}

void Cluster::set_response_delay(int id, std::chrono::milliseconds delay) {
  if (delay.count() < 0) throw std::invalid_argument("response delay must be >= 0");
  node(*state_, id).delay_ms = int(delay.count());
}

void Cluster::push_request_errors(int id, int16_t api_key, int16_t error, int count) {
  BrokerNode& b = node(*state_, id);
  if (!find_api(api_key))
    throw std::invalid_argument("API key " + std::to_string(api_key) + " is not served");
  if (count < 0) throw std::invalid_argument("count must be >= 0");
  std::lock_guard lk(b.errors_mu);
  auto& q = b.errors[api_key];
  q.insert(q.end(), size_t(count), error);
}

static std::shared_ptr<Partition> must_partition(const ClusterState& st, const std::string& topic,
                                                 int partition) {
  auto p = st.partition(topic, partition);
  if (!p)
    throw std::invalid_argument("no partition " + topic + "[" + std::to_string(partition) + "]");
  return p;
}

void Cluster::move_leader(const std::string& topic, int partition, int broker_id) {
  auto p = must_partition(*state_, topic, partition);
  BrokerNode& b = node(*state_, broker_id);
  const auto& reps = p->replicas();
  if (std::find(reps.begin(), reps.end(), broker_id) == reps.end())
    throw std::invalid_argument("broker " + std::to_string(broker_id) + " is not a replica of " +
                                topic + "[" + std::to_string(partition) + "]");
  if (!b.up) throw std::invalid_argument("broker " + std::to_string(broker_id) + " is down");
  p->set_leader(broker_id);
}

int Cluster::leader(const std::string& topic, int partition) const {
  return must_partition(*state_, topic, partition)->leader();
}

int64_t Cluster::high_watermark(const std::string& topic, int partition) const {
  return must_partition(*state_, topic, partition)->high_watermark();
}

}  // namespace hydra::broker
