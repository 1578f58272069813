#include "agents/kafka/kafka_admin.h"

#include <memory>
#include <stdexcept>

#include <librdkafka/rdkafka.h>

namespace hydra {
namespace {

// Partition count of an existing topic, -1 if it does not exist. Asks for
// every topic rather than naming this one: a metadata request that names a
// topic makes a broker with topic auto-creation (librdkafka's mock cluster;
// Apache Kafka with auto.create.topics.enable, its default, for older
// request versions) create it with its own partition count.
int existing_partitions(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("metadata request to the cluster failed: " +
                             std::string(rd_kafka_err2str(e)));
  int n = -1;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      n = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

// Creates or checks a topic on the cluster at `bootstrap` through the admin
// API (what the controller did before the driver seam, unchanged).
void ensure_on_cluster(const std::string& bootstrap, const KafkaPropMap& props,
                       const std::string& topic, int partitions, int replication, bool reuse,
                       const std::map<std::string, std::string>& config, int timeout_ms) {
  char err[512];
  rd_kafka_conf_t* conf = nullptr;
  try {
    conf = make_admin_conf(bootstrap, props);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());  // TopicAdmin's contract (agents/driver.h)
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create admin client: ") + err);
  }
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> guard(rk, rd_kafka_destroy);

  const int have = existing_partitions(rk, topic, timeout_ms);
  if (have >= 0) {
    if (!reuse)
      throw std::runtime_error("topic \"" + topic +
                               "\" already exists on the cluster; set topic.reuse=true to use it "
                               "or choose another topic.name");
    if (have < partitions)
      throw std::runtime_error("topic \"" + topic + "\" has " + std::to_string(have) +
                               " partitions, the scenario needs " + std::to_string(partitions));
    return;
  }

  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication, err, sizeof err);
  if (!nt) throw std::runtime_error(std::string("topic: ") + err);
  for (const auto& [name, value] : config) {
    if (rd_kafka_resp_err_t e = rd_kafka_NewTopic_set_config(nt, name.c_str(), value.c_str())) {
      rd_kafka_NewTopic_destroy(nt);
      throw std::runtime_error("topic.config." + name + ": " + rd_kafka_err2str(e));
    }
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, err, sizeof err);
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
  std::string failure;
  if (!ev) {
    failure = "no answer to CreateTopics within " + std::to_string(timeout_ms) + " ms";
  } else if (rd_kafka_event_error(ev)) {
    failure = rd_kafka_event_error_string(ev);
  } else {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** tr = rd_kafka_CreateTopics_result_topics(res, &n);
    if (n == 1 && rd_kafka_topic_result_error(tr[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
      failure = rd_kafka_topic_result_error_string(tr[0]);
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  if (!failure.empty())
    throw std::runtime_error("cannot create topic \"" + topic + "\": " + failure);
}

KafkaPropMap merged(KafkaPropMap base, const KafkaPropMap& top) {
  for (const auto& [k, v] : top) base[k] = v;
  return base;
}

class KafkaAdmin final : public TopicAdmin {
 public:
  KafkaAdmin(AdminTarget target, KafkaPropMap props)
      : target_(std::move(target)), props_(std::move(props)) {}

  void ensure_topic(const TopicSpec& spec) override {
    // The embedded mock has no admin API: it creates topics itself, and a
    // broker started for this run holds none yet to check.
    if (target_.create_in_process) {
      target_.create_in_process(spec.name, spec.partitions, spec.replication, spec.config);
      return;
    }
    ensure_on_cluster(target_.bootstrap, merged(props_, target_.properties), spec.name,
                      spec.partitions, spec.replication, spec.reuse, spec.config, spec.timeout_ms);
  }

 private:
  AdminTarget target_;
  KafkaPropMap props_;
};

}  // namespace

rd_kafka_conf_t* make_admin_conf(const std::string& bootstrap, const KafkaPropMap& props) {
  // Looking a topic up must not create it as a side effect.
  rd_kafka_conf_t* conf = make_kafka_conf({{"allow.auto.create.topics", "false"}}, props);
  char err[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err)) {
    rd_kafka_conf_destroy(conf);
    throw std::invalid_argument(std::string("broker.bootstrap: ") + err);
  }
  return conf;
}

std::unique_ptr<TopicAdmin> make_kafka_admin(const AdminTarget& target, const KafkaPropMap& props) {
  return std::make_unique<KafkaAdmin>(target, props);
}

}  // namespace hydra
