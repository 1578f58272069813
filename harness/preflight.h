// Checks made once, before the first step, by `hydra run` and `hydra
// validate`: what would otherwise fail every step the same way (a client
// property librdkafka does not know, brokers that do not answer) is reported
// once, clearly, and nothing is started.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "harness/sweep.h"

namespace hydra {

// Every step's publisher.kafka and subscribers.kafka properties, each set on
// a scratch librdkafka configuration (no connection). Returns "" when all are
// accepted, else the first refusal naming the scenario key, e.g.
// "publisher.kafka.no.such.prop: No such configuration property ...".
std::string check_client_properties(const std::vector<Step>& steps);

// Asks a real cluster's brokers for their metadata, with the publisher's
// client properties (security settings live there), waiting at most
// timeout_ms. Returns "" when one answered, else why not.
std::string check_brokers(const std::string& bootstrap,
                          const std::map<std::string, std::string>& props, int timeout_ms);

}  // namespace hydra
