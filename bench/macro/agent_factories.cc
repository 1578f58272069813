#include "bench/macro/agent_factories.h"

#include "agents/kafka_producer.h"

namespace hydra::bench {

KafkaPropMap agent_producer_defaults(const std::string& acks, double linger_ms) {
  return {
      {"acks", acks},
      {"linger.ms", std::to_string(linger_ms)},
      {"enable.idempotence", "false"},
  };
}

std::unique_ptr<ProducerDriver> make_agent_producer(const proto::PublisherConfig& c,
                                                    DeliveryFn on_delivery) {
  return std::make_unique<KafkaProducer>(c.bootstrap, c.topic,
                                         agent_producer_defaults(c.acks, c.linger_ms), c.kafka,
                                         std::move(on_delivery));
}

}  // namespace hydra::bench
