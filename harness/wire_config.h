// The configuration each agent role is sent for a step, built from the
// step's scenario: the one place where scenario settings become wire
// configuration (common/protocol.h). Called by the step runner.
#pragma once

#include <cstdint>
#include <string>

#include "common/protocol.h"
#include "harness/scenario.h"

namespace hydra {

// What the step's plan adds to the scenario: where the agents connect and
// the names that must be unique within the run.
struct WireTarget {
  std::string bootstrap;     // brokers the agents connect to
  std::string topic;         // topic for this step (already created)
  uint32_t producer_id = 1;  // unique within the run
  std::string group_prefix;  // unique within the run
};

// The producer id publisher agent `agent` of a step stamps: the step's id
// (unique within the run) plus agent << 24, so a step's publishers differ
// and, with fewer than 2^24 steps, no two of the run share one.
inline uint32_t publisher_producer_id(uint32_t step_id, int agent) {
  return step_id + (uint32_t(agent) << 24);
}

proto::PublisherConfig publisher_wire_config(const Scenario& sc, const WireTarget& target);

// One subscriber agent's configuration: `clients` clients with ids from
// `first_client`.
proto::SubscriberConfig subscriber_wire_config(const Scenario& sc, const WireTarget& target,
                                               int first_client, int clients);

}  // namespace hydra
