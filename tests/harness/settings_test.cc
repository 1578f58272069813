// The settings table (common/settings.h) against everything derived from it:
// the README's key reference, the scenario parser's defaults, the wire
// configuration, and the agents' configure validation (common/protocol.cc).
#include "common/settings.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/protocol.h"
#include "harness/scenario.h"
#include "harness/wire_config.h"

namespace hydra {
namespace {

using json = nlohmann::ordered_json;
using settings::Role;

const std::string kReadme = std::string(HYDRA_SOURCE_DIR) + "/README.md";
const std::string kBegin = "<!-- scenario-keys:begin";
const std::string kEnd = "<!-- scenario-keys:end -->";

Scenario parse(const json& doc) {
  return parse_scenario(doc, "t.json");
}

bool scenario_accepts(const json& doc) {
  try {
    parse(doc);
    return true;
  } catch (const ScenarioError&) {
    return false;
  }
}

// The README's table: the lines between the two marker comments.
std::string readme_table() {
  std::ifstream in(kReadme);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  const size_t begin = s.find(kBegin);
  const size_t end = s.find(kEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) return "<no markers>";
  const size_t first = s.find('\n', begin) + 1;
  return s.substr(first, end - first);
}

TEST(ScenarioSettings, ReadmeKeyReferenceIsTheGeneratedTable) {
  EXPECT_TRUE(readme_table() == settings::settings_markdown())
      << "README.md's table between \"" << kBegin << " ...-->\" and \"" << kEnd
      << "\" differs from settings_markdown(); replace it with:\n"
      << settings::settings_markdown();
}

TEST(ScenarioSettings, EveryRowIsComplete) {
  std::set<std::string> keys;
  for (const auto& s : settings::all()) {
    EXPECT_TRUE(keys.insert(s.key).second) << "duplicate key " << s.key;
    EXPECT_FALSE(s.doc.empty()) << s.key;
    EXPECT_FALSE(s.rule.allowed.empty()) << s.key;
    EXPECT_EQ(s.wire.empty(), s.role == Role::kController) << s.key << ": a wire name iff sent";
    EXPECT_TRUE((std::set<std::string>{"integer", "number", "string", "boolean", "object", "array"})
                    .count(s.type))
        << s.key << ": " << s.type;
  }
  EXPECT_EQ(settings::find("publisher.linger_ms")->wire, "linger_ms");
  EXPECT_EQ(settings::find_wire(Role::kProcessing, "threads")->key,
            "subscribers.processing.threads");
}

// Parsing {} gives each setting the table's default (broker.bootstrap is not
// in effect by default); parsing also checks the Scenario struct's
// initializers against the table, so this fails if they drift.
TEST(ScenarioSettings, DefaultsComeFromTheTable) {
  const Scenario s = parse(json::object());
  for (const auto& row : settings::all()) {
    if (row.key == "broker.bootstrap") continue;
    EXPECT_EQ(scenario_value(s, row.key), row.rule.check(row.default_value)) << row.key;
  }
  EXPECT_EQ(s.publisher.linger_ms, 5);
  EXPECT_EQ(s.subscribers.processing.batch, 4096);
  EXPECT_THROW(scenario_value(s, "publisher.colour"), std::invalid_argument);
}

// Each config struct carries exactly the knobs the table sends its role.
template <typename Config>
std::set<std::string> struct_knobs() {
  std::set<std::string> names;
  Config c;
  Config::knobs(c, [&](const char* wire, auto&) { names.insert(wire); });
  return names;
}

std::set<std::string> table_knobs(Role role) {
  std::set<std::string> names;
  for (const auto& s : settings::all())
    if (s.role == role) names.insert(s.wire);
  return names;
}

TEST(ProtocolSettings, ConfigStructsCarryTheTablesKnobs) {
  EXPECT_EQ(struct_knobs<proto::PublisherConfig>(), table_knobs(Role::kPublisher));
  EXPECT_EQ(struct_knobs<proto::SubscriberConfig>(), table_knobs(Role::kSubscriber));
}

// The config structs' initializers agree with the table's defaults.
TEST(ProtocolSettings, StructDefaultsAreTheTables) {
  const nlohmann::json pub = proto::PublisherConfig{}.to_json();
  for (const auto& name : table_knobs(Role::kPublisher)) {
    EXPECT_EQ(json(pub.at(name)), settings::find_wire(Role::kPublisher, name)->default_value)
        << name;
  }
  const nlohmann::json sub = proto::SubscriberConfig{}.to_json();
  for (const auto& name : table_knobs(Role::kSubscriber)) {
    EXPECT_EQ(json(sub.at(name)), settings::find_wire(Role::kSubscriber, name)->default_value)
        << name;
  }
}

// Values on and around every rule's edges, of every JSON type.
const std::vector<json> kProbes = {-1,
                                   0,
                                   1,
                                   2,
                                   16,
                                   17,
                                   39,
                                   40,
                                   103,
                                   104,
                                   256,
                                   257,
                                   1024,
                                   1025,
                                   10000,
                                   10001,
                                   1048576,
                                   1048577,
                                   999900,
                                   999901,
                                   1000000,
                                   2.5,
                                   -0.1,
                                   "1",
                                   "0",
                                   "-1",
                                   "all",
                                   "x",
                                   "",
                                   "random",
                                   "sensor",
                                   "per-client",
                                   "shared",
                                   "cpu",
                                   "gpu",
                                   "auto",
                                   "none",
                                   "mlp",
                                   "zscore",
                                   "window-agg",
                                   true,
                                   false,
                                   nullptr,
                                   json::array(),
                                   json::object(),
                                   json{{"linger.ms", 5}},
                                   json{{"linger.ms", json::array()}}};

// What the agent accepts is what the scenario accepts: for every knob and
// every probe value, `hydra validate` and the agent's configure agree.
// `base` gives the other settings (the processing knobs need a sensor
// payload for any kind but "none").
void expect_agreement(Role role, const json& base) {
  const Scenario base_sc = parse(base);
  const WireTarget target{"127.0.0.1:9092", "t", 1, "g"};
  for (const auto& row : settings::all()) {
    if (row.role != role) continue;
    for (const json& probe : kProbes) {
      json doc = base;
      set_key(doc, row.key, probe);
      const bool scenario_ok = scenario_accepts(doc);
      nlohmann::json cfg;
      if (role == Role::kPublisher) {
        cfg = publisher_wire_config(base_sc, target).to_json();
        cfg[row.wire] = nlohmann::json(probe);
      } else {
        cfg = subscriber_wire_config(base_sc, target, 0, 1).to_json();
        if (role == Role::kProcessing)
          cfg["processing"][row.wire] = nlohmann::json(probe);
        else
          cfg[row.wire] = nlohmann::json(probe);
      }
      bool agent_ok = true;
      std::string agent_error;
      try {
        if (role == Role::kPublisher)
          proto::PublisherConfig::from_json(cfg);
        else
          proto::SubscriberConfig::from_json(cfg);
      } catch (const proto::ProtocolError& e) {
        agent_ok = false;
        agent_error = e.what();
      }
      EXPECT_EQ(scenario_ok, agent_ok) << row.key << " = " << probe.dump() << ": scenario "
                                       << (scenario_ok ? "accepts" : "refuses") << ", agent "
                                       << (agent_ok ? "accepts" : "refuses: " + agent_error);
      if (!agent_ok) {
        EXPECT_NE(agent_error.find(row.wire), std::string::npos)
            << "the agent's error names the field: " << agent_error;
      }
    }
  }
}

TEST(ProtocolSettings, AgentAcceptsWhatTheScenarioAcceptsPublisher) {
  expect_agreement(Role::kPublisher, json::object());
}

TEST(ProtocolSettings, AgentAcceptsWhatTheScenarioAcceptsSubscriber) {
  expect_agreement(Role::kSubscriber, json::object());
}

TEST(ProtocolSettings, AgentAcceptsWhatTheScenarioAcceptsProcessing) {
  expect_agreement(Role::kProcessing,
                   json{{"publisher", {{"payload", "sensor"}, {"message_size", 200}}},
                        {"subscribers", {{"processing", {{"kind", "mlp"}}}}}});
}

TEST(ProtocolSettings, MessageSizeLimitIsShared) {
  nlohmann::json cfg = {{"bootstrap", "b:1"}, {"message_size", settings::kMaxMessageSize}};
  EXPECT_EQ(proto::PublisherConfig::from_json(cfg).message_size, 999900);
  cfg["message_size"] = settings::kMaxMessageSize + 1;
  try {
    proto::PublisherConfig::from_json(cfg);
    ADD_FAILURE() << "message_size 999901 accepted";
  } catch (const proto::ProtocolError& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind("config.message_size: must be an integer in 40..999900", 0), 0u)
        << e.what();
  }
}

TEST(ProtocolSettings, AgentFillsLeftOutKnobsWithTheTablesDefaults) {
  const auto pc = proto::PublisherConfig::from_json({{"bootstrap", "b:1"}});
  EXPECT_EQ(pc.rate, settings::find("publisher.rate")->default_value.get<double>());
  EXPECT_EQ(pc.acks, "1");
  const auto sc = proto::SubscriberConfig::from_json({{"bootstrap", "b:1"}});
  EXPECT_EQ(sc.groups, "per-client");
  EXPECT_TRUE(sc.processing.is_null());
}

// The wire configuration copies the step's values (not the defaults) under
// the wire names, including a Scenario built by hand.
TEST(ScenarioSettings, WireConfigCarriesTheStepsValues) {
  const Scenario sc = parse(json{{"topic", {{"partitions", 3}}},
                                 {"publisher",
                                  {{"linger_ms", 7.5},
                                   {"acks", -1},
                                   {"payload", "sensor"},
                                   {"message_size", 300},
                                   {"kafka", {{"batch.size", 1000}}}}},
                                 {"subscribers",
                                  {{"kafka", {{"fetch.min.bytes", 1}}},
                                   {"processing", {{"kind", "zscore"}, {"threads", 0}}}}}});
  const WireTarget target{"h:1", "topic-1", 7, "grp"};
  const proto::PublisherConfig pc = publisher_wire_config(sc, target);
  EXPECT_EQ(pc.partitions, 3);
  EXPECT_EQ(pc.linger_ms, 7.5);
  EXPECT_EQ(pc.acks, "all");
  EXPECT_EQ(pc.payload, "sensor");
  EXPECT_EQ(pc.message_size, 300);
  EXPECT_EQ(pc.kafka, (proto::KafkaProps{{"batch.size", "1000"}}));
  EXPECT_EQ(pc.producer_id, 7u);
  EXPECT_EQ(pc.topic, "topic-1");
  EXPECT_EQ(pc.max_run_s, 2 + 10 + 10 + 120);

  const proto::SubscriberConfig c = subscriber_wire_config(sc, target, 20, 5);
  EXPECT_EQ(c.first_client_id, 20);
  EXPECT_EQ(c.clients, 5);
  EXPECT_EQ(c.group_prefix, "grp");
  EXPECT_EQ(c.kafka, (proto::KafkaProps{{"fetch.min.bytes", "1"}}));
  EXPECT_EQ(c.processing, (nlohmann::json{{"kind", "zscore"},
                                          {"device", "cpu"},
                                          {"batch", 4096},
                                          {"linger_ms", 2},
                                          {"threads", 0},
                                          {"window_ms", 1000}}));

  EXPECT_TRUE(subscriber_wire_config(parse(json::object()), target, 0, 1).processing.is_null())
      << "no processing block when kind is \"none\"";

  Scenario by_hand;
  by_hand.publisher.rate = 500;
  EXPECT_EQ(publisher_wire_config(by_hand, target).rate, 500);
}

}  // namespace
}  // namespace hydra
