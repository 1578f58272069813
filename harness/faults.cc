#include "harness/faults.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "harness/scenario.h"

namespace hydra {
namespace {

using json = nlohmann::ordered_json;

std::string got(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return "(got " + s + ")";
}

// The request types a fault can answer with errors, by the Kafka protocol's
// names (API keys from the protocol's message definitions).
const std::map<std::string, int16_t>& request_types() {
  static const std::map<std::string, int16_t> m = {
      {"Produce", 0},        {"Fetch", 1},       {"ListOffsets", 2},      {"Metadata", 3},
      {"OffsetCommit", 8},   {"OffsetFetch", 9}, {"FindCoordinator", 10}, {"JoinGroup", 11},
      {"Heartbeat", 12},     {"LeaveGroup", 13}, {"SyncGroup", 14},       {"ApiVersions", 18},
      {"InitProducerId", 22}};
  return m;
}

// Error codes by name (the protocol's error table), for readable scenarios;
// any other code may be given as a number.
const std::map<std::string, int16_t>& error_names() {
  static const std::map<std::string, int16_t> m = {
      {"OFFSET_OUT_OF_RANGE", 1},        {"CORRUPT_MESSAGE", 2},
      {"UNKNOWN_TOPIC_OR_PARTITION", 3}, {"LEADER_NOT_AVAILABLE", 5},
      {"NOT_LEADER_OR_FOLLOWER", 6},     {"REQUEST_TIMED_OUT", 7},
      {"NETWORK_EXCEPTION", 13},         {"COORDINATOR_LOAD_IN_PROGRESS", 14},
      {"COORDINATOR_NOT_AVAILABLE", 15}, {"NOT_COORDINATOR", 16},
      {"NOT_ENOUGH_REPLICAS", 19},       {"NOT_ENOUGH_REPLICAS_AFTER_APPEND", 20},
      {"REBALANCE_IN_PROGRESS", 27},     {"KAFKA_STORAGE_ERROR", 56},
  };
  return m;
}

std::string names_of(const std::map<std::string, int16_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// The keys each action takes besides at_s, action and for_s, and whether
// for_s is required (a fault that must end).
struct ActionKeys {
  std::set<std::string> keys;
  bool needs_for = false;
};

const std::map<std::string, ActionKeys>& action_keys() {
  static const std::map<std::string, ActionKeys> m = {
      {"broker_down", {{"broker"}, true}},
      {"broker_rtt", {{"broker", "delay_ms"}, true}},
      {"leader_change", {{"partition", "to_broker"}, false}},
      {"request_errors", {{"broker", "request", "error", "count"}, false}},
      {"disconnect", {{"broker"}, false}},
      {"kill", {{"target", "index"}, false}},
      {"pause", {{"target", "index"}, true}},
      {"slow", {{"target", "index", "rate"}, true}},
      {"crash", {{"client"}, false}},
      {"command", {{"run", "timeout_s"}, false}},
  };
  return m;
}

double number(const json& e, int i, const char* key, double lo, double hi, bool lo_open) {
  const json& v = e.at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() > hi ||
      (lo_open ? v.get<double>() <= lo : v.get<double>() < lo)) {
    std::ostringstream why;
    why << "must be a number " << (lo_open ? "> " : ">= ") << lo;
    if (hi < 1e300) why << " and <= " << hi;
    throw FaultError(i, key, why.str() + " " + got(v));
  }
  return v.get<double>();
}

int integer(const json& e, int i, const char* key, int lo, int hi) {
  const json& v = e.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
    throw FaultError(
        i, key,
        "must be an integer " + std::to_string(lo) + ".." + std::to_string(hi) + " " + got(v));
  return int(v.get<int64_t>());
}

std::string text(const json& e, int i, const char* key) {
  const json& v = e.at(key);
  if (!v.is_string() || v.get<std::string>().empty())
    throw FaultError(i, key, "must be a non-empty string " + got(v));
  return v.get<std::string>();
}

std::string seconds(double s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

FaultSpec parse_one(const json& e, int i) {
  if (!e.is_object())
    throw FaultError(i, "",
                     "must be an object like {\"at_s\": 3, \"action\": \"broker_down\", "
                     "\"for_s\": 2} " +
                         got(e));
  if (!e.contains("action"))
    throw FaultError(
        i, "action", "missing (one of: " + [] {
          std::string s;
          for (const auto& a : fault_actions()) s += (s.empty() ? "" : ", ") + a;
          return s;
        }() + ")");
  FaultSpec f;
  f.index = i;
  f.action = text(e, i, "action");
  auto it = action_keys().find(f.action);
  if (it == action_keys().end()) {
    std::string all;
    for (const auto& a : fault_actions()) all += (all.empty() ? "" : ", ") + a;
    throw FaultError(i, "action", "unknown action \"" + f.action + "\" (allowed: " + all + ")");
  }
  const ActionKeys& ak = it->second;
  for (const auto& [k, v] : e.items()) {
    if (k == "at_s" || k == "action" || k == "for_s" || ak.keys.count(k)) continue;
    std::string allowed = "at_s, action, for_s";
    for (const auto& a : ak.keys) allowed += ", " + a;
    throw FaultError(i, k,
                     "unknown key for action \"" + f.action + "\" (allowed: " + allowed + ")");
  }
  if (!e.contains("at_s"))
    throw FaultError(i, "at_s", "missing (seconds into the measured window)");
  f.at_s = number(e, i, "at_s", 0, 1e300, false);
  if (e.contains("for_s")) {
    f.for_s = number(e, i, "for_s", 0, 1e300, ak.needs_for);
  } else if (ak.needs_for) {
    throw FaultError(i, "for_s", "missing (\"" + f.action + "\" lasts for_s seconds, then ends)");
  }
  auto need = [&](const char* key, const std::string& what) {
    if (!e.contains(key)) throw FaultError(i, key, "missing (" + what + ")");
  };
  if (e.contains("broker")) f.broker = integer(e, i, "broker", 1, 16);
  if (f.action == "broker_rtt") {
    need("delay_ms", "the delay added to every response, ms");
    f.delay_ms = number(e, i, "delay_ms", 0, 60000, true);
  } else if (f.action == "leader_change") {
    if (e.contains("partition")) f.partition = integer(e, i, "partition", 0, 1 << 20);
    if (e.contains("to_broker")) f.to_broker = integer(e, i, "to_broker", 1, 16);
  } else if (f.action == "request_errors") {
    need("request", "the request type, one of: " + names_of(request_types()));
    const json& r = e.at("request");
    if (r.is_string() && request_types().count(r.get<std::string>())) {
      f.request = r.get<std::string>();
      f.api_key = request_types().at(f.request);
    } else {
      throw FaultError(i, "request", "must be one of: " + names_of(request_types()) + " " + got(r));
    }
    need("error", "the Kafka error code answered: a number or one of " + names_of(error_names()));
    const json& c = e.at("error");
    if (c.is_string() && error_names().count(c.get<std::string>())) {
      f.error_code = error_names().at(c.get<std::string>());
    } else if (c.is_number_integer() && c.get<int64_t>() != 0 && c.get<int64_t>() >= -1 &&
               c.get<int64_t>() <= 32767) {
      f.error_code = int16_t(c.get<int64_t>());
    } else {
      throw FaultError(i, "error",
                       "must be a non-zero Kafka error code (-1..32767) or one of " +
                           names_of(error_names()) + " " + got(c));
    }
    if (e.contains("count")) f.count = integer(e, i, "count", 1, 1000000);
  } else if (f.action == "kill" || f.action == "pause" || f.action == "slow") {
    need("target", "\"subscriber\" or \"publisher\"");
    f.target = text(e, i, "target");
    if (f.target != "subscriber" && f.target != "publisher")
      throw FaultError(i, "target", "must be \"subscriber\" or \"publisher\" " + got(e["target"]));
    if (f.action == "slow" && f.target != "subscriber")
      throw FaultError(
          i, "target",
          "slow throttles a subscriber agent's clients; only \"subscriber\" " + got(e["target"]));
    if (e.contains("index")) f.agent_index = integer(e, i, "index", 0, 100000);
    if (f.action == "slow") {
      need("rate", "msg/s each client of the agent reads at most");
      f.rate = number(e, i, "rate", 0, 1e9, true);
    }
  } else if (f.action == "crash") {
    need("client", "the shared-group member (client id) that crashes and rejoins");
    f.client = integer(e, i, "client", 0, 1000000);
  } else if (f.action == "command") {
    need("run", "the shell command, run by /bin/sh -c");
    f.run = text(e, i, "run");
    if (e.contains("timeout_s")) f.timeout_s = number(e, i, "timeout_s", 0, 3600, true);
  }
  return f;
}

}  // namespace

const std::vector<std::string>& fault_actions() {
  static const std::vector<std::string> v = {
      "broker_down", "broker_rtt", "leader_change", "request_errors", "disconnect",
      "kill",        "pause",      "slow",          "crash",          "command"};
  return v;
}

FaultError::FaultError(int index, std::string key, const std::string& reason)
    : std::runtime_error(
          (index < 0 ? std::string("faults") : "faults[" + std::to_string(index) + "]") +
          (key.empty() ? "" : "." + key) + ": " + reason),
      index_(index),
      key_(std::move(key)),
      reason_(reason) {}

std::string FaultError::label() const {
  return (index_ < 0 ? std::string("faults") : "faults[" + std::to_string(index_) + "]") +
         (key_.empty() ? "" : "." + key_);
}

bool FaultSpec::is_broker_action() const {
  return action == "broker_down" || action == "broker_rtt" || action == "leader_change" ||
         action == "request_errors" || action == "disconnect";
}

std::string FaultSpec::describe() const {
  std::string what = action;
  if (action == "kill" || action == "pause" || action == "slow")
    what += ":" + target + std::to_string(agent_index);
  else if (action == "crash")
    what += ":client" + std::to_string(client);
  else if (action == "request_errors")
    what += ":" + request + "=" + std::to_string(error_code) + "x" + std::to_string(count);
  else if (action == "broker_rtt")
    what += ":" + seconds(delay_ms) + "ms";
  else if (action == "leader_change")
    what += ":p" + std::to_string(partition);
  return what + "@" + seconds(at_s) + (for_s > 0 ? "+" + seconds(for_s) : "");
}

json FaultSpec::to_json() const {
  json j;
  j["at_s"] = at_s;
  j["action"] = action;
  if (for_s > 0) j["for_s"] = for_s;
  if (broker) j["broker"] = broker;
  if (action == "broker_rtt") j["delay_ms"] = delay_ms;
  if (action == "leader_change") {
    j["partition"] = partition;
    if (to_broker) j["to_broker"] = to_broker;
  }
  if (action == "request_errors") {
    j["request"] = request;
    j["error"] = error_code;
    j["count"] = count;
  }
  if (action == "kill" || action == "pause" || action == "slow") {
    j["target"] = target;
    j["index"] = agent_index;
  }
  if (action == "slow") j["rate"] = rate;
  if (action == "crash") j["client"] = client;
  if (action == "command") {
    j["run"] = run;
    j["timeout_s"] = timeout_s;
  }
  return j;
}

std::vector<FaultSpec> parse_faults(const json& list) {
  std::vector<FaultSpec> out;
  if (list.is_null()) return out;
  if (!list.is_array())
    throw FaultError(-1, "", "must be a list of {\"at_s\": ..., \"action\": ...} " + got(list));
  for (size_t i = 0; i < list.size(); ++i) out.push_back(parse_one(list[i], int(i)));
  return out;
}

void check_faults_for_step(const Scenario& s) {
  const bool real = !s.broker.embedded();
  const int brokers = real ? 0 : s.broker.embedded_brokers;
  for (const FaultSpec& f : s.faults) {
    auto bad = [&](const char* key, const std::string& why) {
      throw FaultError(f.index, key, why);
    };
    if (f.at_s >= s.duration_s)
      bad("at_s", seconds(f.at_s) + " is not inside the measured window (duration_s " +
                      seconds(s.duration_s) + ")");
    if (f.is_broker_action() && real)
      bad("action",
          "\"" + f.action +
              "\" acts on the embedded broker; with broker.bootstrap (a real cluster) use "
              "{\"action\": \"command\", \"run\": \"...\"} to stop a broker or inject the fault");
    if (f.broker > brokers && f.is_broker_action())
      bad("broker", std::to_string(f.broker) + " is not a broker of this step (" +
                        "broker.embedded.brokers is " + std::to_string(brokers) + ")");
    if (f.action == "leader_change") {
      if (brokers < 2)
        bad("action", "leader_change needs broker.embedded.brokers >= 2 (got " +
                          std::to_string(brokers) + ")");
      if (s.broker.embedded_kind == "hydra" && s.topic.replication < 2)
        bad("action",
            "leader_change on the hydra broker moves leadership to a replica: "
            "it needs topic.replication >= 2 (got " +
                std::to_string(s.topic.replication) + ")");
      if (f.partition >= s.topic.partitions)
        bad("partition", std::to_string(f.partition) + " is not a partition (" +
                             "topic.partitions is " + std::to_string(s.topic.partitions) + ")");
      if (f.to_broker > brokers)
        bad("to_broker", std::to_string(f.to_broker) + " is not a broker (" +
                             std::to_string(brokers) + " brokers)");
    }
    if (f.action == "crash" && s.subscribers.groups != "shared")
      bad("action",
          "crash makes a shared group's member crash and rejoin: it needs subscribers.groups "
          "\"shared\" (use kill to stop a subscriber agent)");
    if (f.action == "crash" && f.client >= s.subscribers.clients)
      bad("client", std::to_string(f.client) + " is not a client (subscribers.clients is " +
                        std::to_string(s.subscribers.clients) + ")");
    if (f.target == "publisher" && f.agent_index >= publisher_agents(s))
      bad("index", "publisher agent " + std::to_string(f.agent_index) +
                       " does not exist (the step has " + std::to_string(publisher_agents(s)) +
                       ": publisher.agents, or one per publisher.generators entry)");
    if (f.target == "subscriber" && f.agent_index >= s.subscribers.agents())
      bad("index", "subscriber agent " + std::to_string(f.agent_index) +
                       " does not exist (the step has " + std::to_string(s.subscribers.agents()) +
                       ": subscribers.clients / subscribers.clients_per_agent, rounded up)");
  }
}

std::string describe_faults(const std::vector<FaultSpec>& faults) {
  std::string out;
  for (const auto& f : faults) out += (out.empty() ? "" : " ") + f.describe();
  return out;
}

}  // namespace hydra
