// Builds librdkafka configurations: Hydra's defaults first, then the user's
// pass-through properties, each rejected with the property named when
// librdkafka refuses it. Every Kafka client Hydra makes (producers, consumers,
// the controller's admin and broker check) gets its configuration here.
#pragma once

#include <map>
#include <string>

#include <librdkafka/rdkafka.h>

namespace hydra {

using KafkaPropMap = std::map<std::string, std::string>;

// Returns a new rd_kafka_conf_t with `defaults` then `overrides` applied and
// Hydra's log callback installed (agents/kafka/kafka_log.h).
// Throws std::invalid_argument("kafka.<name>: <librdkafka's reason>").
rd_kafka_conf_t* make_kafka_conf(const KafkaPropMap& defaults, const KafkaPropMap& overrides);

}  // namespace hydra
