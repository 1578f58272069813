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

// Every step's broker.kafka, publisher.kafka and subscribers.kafka
// properties, each set on a scratch librdkafka configuration; broker.kafka's
// (security) also make a scratch client, without brokers, so what librdkafka
// checks only then (a missing certificate file, a SASL mechanism it was built
// without) is found too. No connection is made. Returns "" when all are
// accepted, else the first refusal naming the scenario key, e.g.
// "publisher.kafka.no.such.prop: No such configuration property ...".
std::string check_client_properties(const std::vector<Step>& steps);

// The properties the broker check connects with: broker.kafka, then
// publisher.kafka over them (security settings given there before
// broker.kafka existed keep working).
std::map<std::string, std::string> broker_check_properties(const Scenario& sc);

// Asks a real cluster's brokers for their metadata with the admin client's
// configuration (agents/kafka/kafka_admin.h: make_admin_conf) and `props`,
// waiting at most timeout_ms. Returns "" when one answered, else why not.
std::string check_brokers(const std::string& bootstrap,
                          const std::map<std::string, std::string>& props, int timeout_ms);

}  // namespace hydra
