#include "agents/kafka/kafka_factories.h"

#include <algorithm>
#include <string>

#include "agents/kafka/kafka_consumer.h"
#include "agents/kafka/kafka_producer.h"

namespace hydra {

KafkaPropMap publisher_kafka_defaults(const proto::PublisherConfig& c) {
  KafkaPropMap props{
      {"acks", c.acks},
      {"linger.ms", std::to_string(c.linger_ms)},
      // Hydra's header already makes every message unique; duplicates are a
      // measured outcome, not something to configure away silently: only
      // publisher.idempotent (or transactional) turns idempotence on.
      {"enable.idempotence", c.idempotent || c.transactional ? "true" : "false"},
      // Names the client in its log lines (agents/kafka/kafka_log.h) and
      // in the broker's view.
      {"client.id", "hydra-pub-" + std::to_string(c.producer_id)},
  };
  // One transactional.id per publisher: the producer id is unique within
  // the run, the topic names the run.
  if (c.transactional)
    props["transactional.id"] = "hydra-" + c.topic + "-" + std::to_string(c.producer_id);
  return props;
}

namespace {

// The dump also lists librdkafka's internal pointers (default_topic_conf,
// callbacks, opaques: "0x55..."), which differ per object and are no
// setting; property names use dots, those use underscores only.
bool internal_pointer(const std::string& key, const std::string& value) {
  return key.find('.') == std::string::npos && key.find('_') != std::string::npos &&
         value.rfind("0x", 0) == 0;
}

KafkaPropMap dumped(const char** kv, size_t n) {
  KafkaPropMap out;
  for (size_t i = 0; i + 1 < n; i += 2)
    if (!internal_pointer(kv[i], kv[i + 1])) out[kv[i]] = kv[i + 1];
  return out;
}

KafkaPropMap global_props(const rd_kafka_conf_t* conf) {
  size_t n = 0;
  const char** kv = rd_kafka_conf_dump(const_cast<rd_kafka_conf_t*>(conf), &n);
  KafkaPropMap out = dumped(kv, n);
  rd_kafka_conf_dump_free(kv, n);
  return out;
}

KafkaPropMap topic_props(const rd_kafka_topic_conf_t* conf) {
  size_t n = 0;
  const char** kv = rd_kafka_topic_conf_dump(const_cast<rd_kafka_topic_conf_t*>(conf), &n);
  KafkaPropMap out = dumped(kv, n);
  rd_kafka_conf_dump_free(kv, n);
  return out;
}

// What `conf` sets differently from a new configuration. Topic properties
// given on the global configuration live in its default topic configuration.
KafkaPropMap differing(rd_kafka_conf_t* conf) {
  rd_kafka_conf_t* fresh = rd_kafka_conf_new();
  rd_kafka_topic_conf_t* fresh_topic = rd_kafka_topic_conf_new();
  const KafkaPropMap base = global_props(fresh);
  KafkaPropMap base_topic = topic_props(fresh_topic);
  rd_kafka_conf_destroy(fresh);
  rd_kafka_topic_conf_destroy(fresh_topic);

  KafkaPropMap out;
  for (const auto& [k, v] : global_props(conf)) {
    auto it = base.find(k);
    if (it == base.end() || it->second != v) out[k] = v;
  }
  if (const rd_kafka_topic_conf_t* t = rd_kafka_conf_get_default_topic_conf(conf)) {
    for (const auto& [k, v] : topic_props(t)) {
      auto it = base_topic.find(k);
      if (it == base_topic.end() || it->second != v) out[k] = v;
    }
  }
  rd_kafka_conf_destroy(conf);
  return out;
}

KafkaConsumerOptions consumer_options(const proto::SubscriberConfig& c, int client_id) {
  KafkaConsumerOptions o;
  o.bootstrap = c.bootstrap;
  o.topic = c.topic;
  o.shared_group = c.groups == "shared";
  o.manual_assign = c.groups == "none";
  o.group_id = o.shared_group ? c.group_prefix + "-g" +
                                    std::to_string(client_id / std::max(1, c.group_members))
                              : c.group_prefix + "-c" + std::to_string(client_id);
  o.commit = o.shared_group ? c.commit : "none";
  o.read_committed = c.read_committed;
  o.clients_in_process = c.clients;
  o.overrides = c.kafka;
  // Names the client in its log lines (agents/kafka/kafka_log.h) and in the
  // broker's view, unless the user named it.
  o.overrides.try_emplace("client.id", "hydra-sub-" + std::to_string(client_id));
  return o;
}

}  // namespace

KafkaPropMap effective_producer_properties(const proto::PublisherConfig& c) {
  return differing(make_kafka_conf(
      KafkaProducer::base_props(c.bootstrap, publisher_kafka_defaults(c), c.kafka), c.kafka));
}

KafkaPropMap effective_consumer_properties(const proto::SubscriberConfig& c, int client_id) {
  const KafkaConsumerOptions o = consumer_options(c, client_id);
  return differing(make_kafka_conf(KafkaConsumer::default_props(o), o.overrides));
}

std::unique_ptr<ConsumerDriver> make_kafka_consumer(const proto::SubscriberConfig& c,
                                                    int client_id) {
  return std::make_unique<KafkaConsumer>(consumer_options(c, client_id));
}

}  // namespace hydra
