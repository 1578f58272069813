// How the Kafka driver (agents/kafka/kafka_driver.cc) builds its clients
// from a configuration: the producer and consumer defaults Hydra applies
// before the user's pass-through properties. One place, shared by the driver
// and the benchmarks that compare Hydra with raw librdkafka loops.
#pragma once

#include <memory>

#include "agents/kafka/kafka_config.h"
#include "agents/transport.h"
#include "common/protocol.h"

namespace hydra {

// Producer properties Hydra sets from the publisher configuration.
KafkaPropMap publisher_kafka_defaults(const proto::PublisherConfig& c);

std::unique_ptr<ConsumerDriver> make_kafka_consumer(const proto::SubscriberConfig& c,
                                                    int client_id);

}  // namespace hydra
