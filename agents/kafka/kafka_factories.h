// How hydra-agent builds its Kafka drivers from a configuration: the
// producer and consumer defaults Hydra applies before the user's
// pass-through properties. One place, shared by the agent and the benchmarks
// that compare Hydra with raw librdkafka loops.
#pragma once

#include <memory>

#include "agents/kafka/kafka_config.h"
#include "agents/transport.h"
#include "common/protocol.h"

namespace hydra {

// Producer properties Hydra sets from the publisher configuration.
KafkaPropMap publisher_kafka_defaults(const proto::PublisherConfig& c);

std::unique_ptr<ProducerDriver> make_kafka_producer(const proto::PublisherConfig& c,
                                                    DeliveryFn on_delivery);

std::unique_ptr<ConsumerDriver> make_kafka_consumer(const proto::SubscriberConfig& c,
                                                    int client_id);

}  // namespace hydra
