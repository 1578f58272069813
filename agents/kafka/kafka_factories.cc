#include "agents/kafka/kafka_factories.h"

#include "agents/kafka/kafka_consumer.h"

namespace hydra {

KafkaPropMap publisher_kafka_defaults(const proto::PublisherConfig& c) {
  return {
      {"acks", c.acks},
      {"linger.ms", std::to_string(c.linger_ms)},
      // Hydra's header already makes every message unique; duplicates are a
      // measured outcome, not something to configure away silently.
      {"enable.idempotence", "false"},
  };
}

std::unique_ptr<ConsumerDriver> make_kafka_consumer(const proto::SubscriberConfig& c,
                                                    int client_id) {
  KafkaConsumerOptions o;
  o.bootstrap = c.bootstrap;
  o.topic = c.topic;
  o.shared_group = c.groups == "shared";
  o.manual_assign = c.groups == "none";
  o.group_id = o.shared_group ? c.group_prefix : c.group_prefix + "-c" + std::to_string(client_id);
  o.clients_in_process = c.clients;
  o.overrides = c.kafka;
  return std::make_unique<KafkaConsumer>(o);
}

}  // namespace hydra
