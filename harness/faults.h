// The scenario's `faults` key: a list of timed faults applied during every
// step's measured window (docs/contracts.md "Fault timeline"), e.g.
//   "faults": [{ "at_s": 3, "action": "broker_down", "for_s": 2 },
//              { "at_s": 5, "action": "kill", "target": "subscriber", "index": 0 }]
// This header is the one place that names the actions and their keys.
// parse_faults() checks the list's shape (scenario.cc calls it while parsing
// a file); check_faults_for_step() checks what depends on the step (the
// window's length, the broker kind, the agent count) and is called for every
// step before anything starts (`hydra run`, `hydra validate`). The timeline
// that applies them is fault_timeline.h; the figures, fault_figures.h.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hydra {

struct Scenario;

struct FaultSpec {
  int index = 0;  // position in the list, for messages
  std::string action;
  double at_s = 0;   // seconds into the measured window
  double for_s = 0;  // how long it lasts; for an instantaneous action, how long the
                     // step counts as in the fault (0: the second it fires in)
  // broker_down, broker_rtt, request_errors, disconnect: broker id (1..N);
  // 0 means every broker (broker_rtt, disconnect) or broker 1 (the others).
  int broker = 0;
  double delay_ms = 0;     // broker_rtt
  int partition = 0;       // leader_change
  int to_broker = 0;       // leader_change: 0 = the next broker after the leader
  std::string request;     // request_errors: the request type's name, e.g. "Produce"
  int16_t api_key = 0;     // ... and its API key
  int16_t error_code = 0;  // request_errors: the Kafka error code answered
  int count = 1;           // request_errors: how many requests get it
  std::string target;      // kill, pause, slow: "subscriber" or "publisher"
  int agent_index = 0;     // kill, pause, slow: which agent of the target (0..agents-1)
  double rate = 0;         // slow: msg/s each client of the agent reads at most
  int client = 0;          // crash: the shared-group member (client id) that crashes
  std::string run;         // command: the shell command
  double timeout_s = 10;   // command: killed after this long

  bool is_broker_action() const;
  // A short description for the `faults` column: "broker_down@3+2",
  // "kill:subscriber0@5".
  std::string describe() const;
  nlohmann::ordered_json to_json() const;
};

// Every action, in the README's order.
const std::vector<std::string>& fault_actions();

// A bad `faults` entry: what() names the entry and the key, e.g.
// "faults[1].for_s: must be a number > 0 (got -2)"; key() is the dotted part
// after "faults[1]." (empty when the entry as a whole is wrong); index -1:
// the list itself.
class FaultError : public std::runtime_error {
 public:
  FaultError(int index, std::string key, const std::string& reason);
  int index() const { return index_; }
  const std::string& key() const { return key_; }
  std::string label() const;  // "faults[1].for_s"
  const std::string& reason() const { return reason_; }

 private:
  int index_;
  std::string key_, reason_;
};

// Parses and checks the list (its shape and each entry's keys and values);
// throws FaultError. A missing list is an empty one.
std::vector<FaultSpec> parse_faults(const nlohmann::ordered_json& list);

// What the step's own settings forbid: a fault past the window's end, a
// broker action on a real cluster (broker.bootstrap: use `command`) or one
// the embedded broker kind cannot do, a broker or agent that the step does
// not have. Throws FaultError naming the entry and the key.
void check_faults_for_step(const Scenario& step);

// The faults as `faults` cells describe them: descriptions joined by " ".
std::string describe_faults(const std::vector<FaultSpec>& faults);

}  // namespace hydra
