// The driver factory hydra-agent's publisher uses (agents/main.cc,
// make_kafka_producer, private to the agent's main), repeated for the
// in-process benchmark, with its property map exposed so the raw loop starts
// from the very same one.
#pragma once

#include <memory>
#include <string>

#include "agents/kafka_config.h"
#include "agents/transport.h"
#include "common/protocol.h"

namespace hydra::bench {

// The properties hydra-agent sets on its producer before the user's "kafka"
// pass-through.
KafkaPropMap agent_producer_defaults(const std::string& acks, double linger_ms);

// A KafkaProducer exactly as hydra-agent builds it.
std::unique_ptr<ProducerDriver> make_agent_producer(const proto::PublisherConfig& c,
                                                    DeliveryFn on_delivery);

}  // namespace hydra::bench
