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

// The effective librdkafka configuration of the clients the Kafka driver
// builds for a configuration (with no driver section): every property whose
// value differs from librdkafka's default (rd_kafka_conf_dump of the built
// configuration against a new one), global and default-topic properties
// together. Secrets are not masked here (provenance.h does that). Throws as
// make_kafka_conf does. Called by the controller to record what ran.
KafkaPropMap effective_producer_properties(const proto::PublisherConfig& c);
KafkaPropMap effective_consumer_properties(const proto::SubscriberConfig& c, int client_id);

std::unique_ptr<ConsumerDriver> make_kafka_consumer(const proto::SubscriberConfig& c,
                                                    int client_id);

}  // namespace hydra
