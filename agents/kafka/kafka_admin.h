// The Kafka driver's TopicAdmin (agents/driver.h): creates or checks a step's
// topic through librdkafka's admin API on a real cluster; on an in-process
// broker without one (the embedded mock), through the target's
// create_in_process. Made by the Kafka driver for the controller.
#pragma once

#include <memory>

#include "agents/driver.h"
#include "agents/kafka/kafka_config.h"

namespace hydra {

// `props`: librdkafka properties the admin client gets (the driver section's);
// the target's properties go over them.
std::unique_ptr<TopicAdmin> make_kafka_admin(const AdminTarget& target, const KafkaPropMap& props);

// The configuration of the controller's admin client for the cluster at
// `bootstrap`: topic auto-creation off, then `props`. Throws as
// make_kafka_conf does, or std::invalid_argument for a bad bootstrap. Shared
// with the broker check before the first step (harness/preflight.h).
rd_kafka_conf_t* make_admin_conf(const std::string& bootstrap, const KafkaPropMap& props);

}  // namespace hydra
