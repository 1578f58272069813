// Scenario files: what one `hydra run` or `hydra validate` is asked to do.
//
// A scenario is a JSON file (comments allowed) whose dotted keys fill the
// `Scenario` struct below. The controller (`hydra run`, `hydra validate`) calls
// `load_scenario()`, then `expand_steps()` (sweep.h) to get the steps it runs.
// Each key's type, default, rule and meaning are declared once, in the
// settings table (common/settings.cc; the README's key reference is generated
// from it). The struct members below carry the parsed values; their
// initializers repeat the table's defaults for code that builds a Scenario by
// hand, and the parser refuses to start if the two disagree.
//
// Errors are `ScenarioError`s that name the file and the dotted key and say
// what is allowed, e.g.
//   smoke.json: publisher.rate: must be a number >= 0 (got "fast")
//   smoke.json: unknown key "publisher.rat" (allowed: rate, message_size, ...)
//   smoke.json:12:7: syntax error while parsing object - ...
#pragma once

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/faults.h"

namespace hydra {

// The brokers: the embedded one (librdkafka's mock cluster, started by the
// controller) or a real cluster. A file gives `broker.embedded` or
// `broker.bootstrap`, never both; with neither, the embedded broker is used.
struct ScenarioBroker {
  std::string embedded_kind = "hydra";
  int embedded_brokers = 1;
  std::string bootstrap;
  // librdkafka properties every client of the cluster gets (security, ...).
  std::map<std::string, std::string> kafka;

  bool embedded() const { return bootstrap.empty(); }
};

// The topic every publisher writes and every subscriber reads.
struct ScenarioTopic {
  std::string name = "hydra";
  int partitions = 1;
  int replication = 1;
  int count = 1;  // topics (common/topics.h)
  // Topic configuration entries passed to topic creation (topic.config).
  std::map<std::string, std::string> config;
  bool reuse = false;
};

// The publisher section: every publisher agent's settings (publisher.agents
// of them, or one per publisher.generators entry, which overrides some).
struct ScenarioPublisher {
  double rate = 2000;
  int message_size = 100;
  int msg_batch = 100;
  std::string acks = "1";
  double linger_ms = 5;
  std::string payload = "random";
  std::string encoding = "binary";
  int keys = 0;  // publisher.keys.count (the other publisher.keys.* live in `resolved`)
  bool idempotent = false;
  bool transactional = false;
  std::map<std::string, std::string> kafka;
  int agents = 1;  // publisher.agents (publisher.generators, in `resolved`, may set the count)
};

// What each subscriber client does with the messages it receives.
struct ScenarioProcessing {
  std::string kind = "none";
  std::string device = "cpu";
  int batch = 4096;
  double linger_ms = 2;
  int threads = 1;
  int window_ms = 1000;
};

// The subscriber clients, spread over subscriber agents.
struct ScenarioSubscribers {
  int clients = 10;
  int clients_per_agent = 100;
  std::string groups = "per-client";
  int group_count = 1;          // groups "shared": consumer groups
  std::string commit = "auto";  // groups "shared": when members commit
  std::map<std::string, std::string> kafka;
  ScenarioProcessing processing;

  // Subscriber agents needed: ceil(clients / clients_per_agent).
  int agents() const { return (clients + clients_per_agent - 1) / clients_per_agent; }
  bool shared() const { return groups == "shared"; }
  // Members of one shared group (clients / group_count); 1 otherwise.
  int group_members() const { return shared() ? clients / std::max(1, group_count) : 1; }
};

// One sweep axis: a dotted key and the values it takes, in file order.
struct SweepAxis {
  std::string key;
  // Values as checked and normalized by the key's own rule (acks 1 -> "1").
  std::vector<nlohmann::ordered_json> values;
};

// A parsed, checked scenario. For a swept scenario the fields hold the base
// values; `expand_steps()` gives one Scenario per step with `sweep` empty.
struct Scenario {
  std::string name = "hydra";
  ScenarioBroker broker;
  ScenarioTopic topic;
  double duration_s = 10;
  double warmup_s = 2;
  double drain_timeout_s = 10;
  double control_timeout_s = 10;
  int repeats = 1;
  ScenarioPublisher publisher;
  ScenarioSubscribers subscribers;
  // sweep: axes of the cartesian product, first outermost; empty = one step.
  std::vector<SweepAxis> sweep;
  // faults: applied in every step's measured window (harness/faults.h).
  std::vector<FaultSpec> faults;

  // Where the scenario came from (file path), for messages.
  std::string source;
  // The whole document with every default filled in and values normalized;
  // what `hydra run` writes as scenario.json.
  nlohmann::ordered_json resolved;
};

// A bad scenario: syntax, unknown key, wrong type, impossible value. what() is
// "SOURCE: LABEL: REASON"; `key()` is the dotted key concerned (empty for a
// syntax error or an unreadable file).
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string source, std::string label, std::string reason, std::string key);

  const std::string& source() const { return source_; }
  // What the message names before the reason: usually the key, or e.g.
  // "sweep publisher.rate[2]".
  const std::string& label() const { return label_; }
  const std::string& reason() const { return reason_; }
  const std::string& key() const { return key_; }

 private:
  std::string source_, label_, reason_, key_;
};

// Parses scenario text (JSON with // and /* */ comments). A syntax error is
// reported as "SOURCE:LINE:COL: ...". The top level must be an object.
nlohmann::ordered_json load_scenario_json(const std::string& text, const std::string& source_name);

// Checks a scenario document and fills a Scenario. Unknown keys, wrong types,
// out-of-range values, impossible combinations and bad sweep values throw.
// Combinations involving a swept key are left to expand_steps(), which checks
// every step.
Scenario parse_scenario(const nlohmann::ordered_json& doc, const std::string& source_name);

// Reads the file at `path`, applies each "KEY=VALUE" of `sets` in order (see
// apply_set) and parses it. A missing or unreadable file is a ScenarioError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets);

// Applies one `--set KEY=VALUE` to a document. VALUE is JSON when it parses
// as JSON (numbers, true/false, arrays, objects, "quoted"), else the text
// itself; for keys that take a string (name, topic.name, ...) it is always
// the text unless it is a quoted JSON string. Missing objects are created.
// Pinning: setting a key that the sweep varies (or a key inside it) removes
// it from the sweep, so `--set publisher.rate=500` on a rate sweep runs every
// step at 500. Setting broker.bootstrap drops broker.embedded (and its swept
// keys) and the other way round, so one --set switches broker kind.
// A missing '=' or an empty key is a ScenarioError.
void apply_set(nlohmann::ordered_json& doc, const std::string& assignment);

// Sets a dotted key in a document, creating missing objects (no sweep
// pinning; the broker-kind exclusivity of apply_set applies). Throws
// ScenarioError when a key on the way is a value, not an object.
void set_key(nlohmann::ordered_json& doc, const std::string& key, nlohmann::ordered_json value);

// The value of one setting (a key of the settings table) in `sc`: its struct
// member when the Scenario has one, else the resolved document's value, else
// the table's default. Throws std::invalid_argument for a key that is not a
// setting. The wire configuration (harness/wire_config.cc) reads knobs here.
nlohmann::ordered_json scenario_value(const Scenario& sc, const std::string& key);

// Publisher agents a step runs: publisher.generators' entries, or
// publisher.agents without them.
int publisher_agents(const Scenario& sc);

// One scenario per publisher agent, in agent order, each with that agent's
// publisher settings: with publisher.generators, the entry's keys over the
// publisher section (its rate its own); without, the section with
// publisher.rate split evenly among publisher.agents (0 stays 0: each
// unthrottled). The step runner builds each agent's wire configuration from
// its own (harness/step_run.cc).
std::vector<Scenario> publisher_scenarios(const Scenario& sc);

// The step's target publish rate, msg/s (results.csv msg_rate): the
// publisher agents' rates together; 0 (unthrottled) when one of them is.
double total_publish_rate(const Scenario& sc);

// Splits a dotted key into object keys. The librdkafka property names under
// broker.kafka / publisher.kafka / subscribers.kafka and the keys under sweep contain dots
// themselves, so they stay one segment: "publisher.kafka.batch.size" ->
// {"publisher", "kafka", "batch.size"}, "sweep.publisher.rate" ->
// {"sweep", "publisher.rate"}.
std::vector<std::string> split_key(const std::string& key);

}  // namespace hydra
