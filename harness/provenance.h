// What a run was: which Hydra and librdkafka, on which host, when, from which
// command line, and the librdkafka configuration each client role actually
// ran with. Written as run.json beside results.csv by `hydra run` (at the
// start, then again at the end with the end time and every step's client
// configuration), read back by the HTML report (report_html.h).
//
// The client configuration is what the Kafka driver builds for the step's
// wire configuration (agents/kafka/kafka_factories.h): only the properties
// that differ from librdkafka's defaults, secrets masked.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/commands.h"
#include "harness/scenario.h"
#include "harness/wire_config.h"

namespace hydra {

// The value every masked secret is shown as.
inline constexpr const char* kMaskedSecret = "***";

// Whether a property (or --set key) holds a secret: its name contains
// "password" or "secret" (sasl.password, ssl.key.password,
// sasl.oauthbearer.client.secret, ...).
bool is_secret_key(const std::string& key);

// `doc` with the value of every key that holds a secret masked, at any depth:
// a string, number or boolean becomes kMaskedSecret, and so does each value of
// an array under such a key (a sweep over "broker.kafka.sasl.password").
// What `hydra run` writes as scenario.json and the report shows.
nlohmann::ordered_json masked_secrets(nlohmann::ordered_json doc);

// `program command args...` as one shell-quoted string, with the value of every
// `--set KEY=VALUE` whose key is a secret masked.
std::string masked_command_line(const std::string& program, const std::string& command,
                                const Args& args);

// The host: name, cores, memory, kernel (uname), OS (/etc/os-release).
nlohmann::ordered_json host_json();

class Provenance {
 public:
  // Records the start time now.
  Provenance(std::string scenario_name, std::string command_line);

  // The effective client configuration of one step (once per step index;
  // repeats add nothing): the publisher's and a subscriber client's. An error
  // building either is recorded in its place, never thrown.
  void record_step(int step, const Scenario& scenario, const WireTarget& target);
  // Records the end time now.
  void finish(bool interrupted);

  nlohmann::ordered_json to_json() const;
  // Writes to_json() to `path` (run.json); "" on success, else why.
  std::string write(const std::string& path) const;

 private:
  std::string scenario_;
  std::string command_line_;
  int64_t started_ns_ = 0;
  int64_t ended_ns_ = 0;
  bool interrupted_ = false;
  nlohmann::ordered_json steps_ = nlohmann::ordered_json::array();
};

}  // namespace hydra
