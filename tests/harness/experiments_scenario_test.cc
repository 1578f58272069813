// The experiment keys in scenario files (publisher.keys object and its
// shorthand, payloads and encodings, slow clients, topic.config): parsing,
// --set on the shorthand, sweeps of their dotted keys, what reaches the wire
// configuration, and the five shipped experiment scenarios.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agents/kafka/kafka_admin.h"
#include "harness/embedded_broker.h"
#include "harness/scenario.h"
#include "harness/sweep.h"
#include "harness/wire_config.h"

namespace hydra {
namespace {

using json = nlohmann::ordered_json;

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "t.json"), "t.json");
}

ScenarioError parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no ScenarioError for: " << text;
  return ScenarioError("", "", "", "");
}

proto::PublisherConfig pub_wire(const Scenario& s) {
  return publisher_wire_config(s, WireTarget{"127.0.0.1:9092", "t", 3, "g"});
}

TEST(ExperimentKeys, IntegerKeysAreShorthandForRoundRobinOverThatMany) {
  const Scenario s = parse(R"({"publisher": {"keys": 16}})");
  EXPECT_EQ(s.publisher.keys, 16);
  EXPECT_EQ(s.resolved["publisher"]["keys"]["count"], 16);
  EXPECT_EQ(s.resolved["publisher"]["keys"]["distribution"], "round-robin");
  const auto w = pub_wire(s);
  EXPECT_EQ(w.keys, 16);
  EXPECT_EQ(w.key_distribution, "round-robin");
}

TEST(ExperimentKeys, TheObjectFormReachesThePublisher) {
  const Scenario s = parse(R"({"publisher": {"keys": {"count": 100, "distribution": "zipf",
      "exponent": 1.5, "seed": 9, "hot_threshold": 3}}})");
  const auto w = pub_wire(s);
  EXPECT_EQ(w.keys, 100);
  EXPECT_EQ(w.key_distribution, "zipf");
  EXPECT_DOUBLE_EQ(w.key_exponent, 1.5);
  EXPECT_EQ(w.key_seed, 9);
  EXPECT_EQ(scenario_value(s, "publisher.keys.hot_threshold"), 3);
}

TEST(ExperimentKeys, SetADistributionOnAFileThatUsesTheShorthand) {
  json doc = load_scenario_json(R"({"publisher": {"keys": 8}})", "t.json");
  apply_set(doc, "publisher.keys.distribution=zipf");
  apply_set(doc, "publisher.keys.exponent=2");
  const Scenario s = parse_scenario(doc, "t.json");
  EXPECT_EQ(s.publisher.keys, 8);
  EXPECT_EQ(pub_wire(s).key_distribution, "zipf");
  EXPECT_DOUBLE_EQ(pub_wire(s).key_exponent, 2);
}

TEST(ExperimentKeys, ExponentAndCountSweepAndPin) {
  json doc = load_scenario_json(R"({"publisher": {"keys": {"count": 10, "distribution": "zipf"}},
      "sweep": {"publisher.keys.exponent": [0.5, 1, 2]}})",
                                "t.json");
  Scenario s = parse_scenario(doc, "t.json");
  const auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_DOUBLE_EQ(pub_wire(steps[2].scenario).key_exponent, 2);
  // The shorthand's sweep is a sweep of the count.
  json doc2 = load_scenario_json(R"({"sweep": {"publisher.keys": [0, 4]}})", "t.json");
  const Scenario s2 = parse_scenario(doc2, "t.json");
  ASSERT_EQ(s2.sweep.size(), 1u);
  EXPECT_EQ(s2.sweep[0].key, "publisher.keys.count");
  // --set of the exponent pins it.
  apply_set(doc, "publisher.keys.exponent=3");
  EXPECT_TRUE(parse_scenario(doc, "t.json").sweep.empty());
}

TEST(ExperimentKeys, ADistributionNeedsKeys) {
  const ScenarioError e = parse_error(R"({"publisher": {"keys": {"distribution": "hot"}}})");
  EXPECT_EQ(e.key(), "publisher.keys.distribution");
  EXPECT_NE(std::string(e.what()).find("needs publisher.keys.count >= 1"), std::string::npos);
}

TEST(ExperimentPayloads, EncodingsAndPayloadsReachThePublisher) {
  const Scenario s = parse(R"({"publisher": {"payload": "order", "encoding": "cbor",
      "compressibility": 0.5}, "subscribers": {"decode": true}})");
  const auto w = pub_wire(s);
  EXPECT_EQ(w.payload, "order");
  EXPECT_EQ(w.encoding, "cbor");
  EXPECT_DOUBLE_EQ(w.compressibility, 0.5);
  const auto sub = subscriber_wire_config(s, WireTarget{"127.0.0.1:9092", "t", 3, "g"}, 0, 2);
  EXPECT_TRUE(sub.decode);
  // A sensor document has its own size: message_size is not checked then.
  EXPECT_NO_THROW(parse(R"({"publisher": {"payload": "sensor", "encoding": "json"}})"));
  EXPECT_EQ(parse_error(R"({"publisher": {"payload": "sensor"}})").key(), "publisher.message_size");
}

TEST(ExperimentPayloads, APayloadFileIsFoundBesideTheScenario) {
  const auto dir = std::filesystem::temp_directory_path() / "hydra-exp-scenario";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "lines.txt") << "a\nb\n";
  std::ofstream(dir / "s.json")
      << R"({"publisher": {"payload": "file", "payload_file": "lines.txt"}})";
  const Scenario s = load_scenario((dir / "s.json").string(), {});
  EXPECT_EQ(pub_wire(s).payload_file, (dir / "lines.txt").string());
  std::ofstream(dir / "bad.json")
      << R"({"publisher": {"payload": "file", "payload_file": "nope.txt"}})";
  try {
    load_scenario((dir / "bad.json").string(), {});
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.key(), "publisher.payload_file");
    EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos);
  }
  EXPECT_EQ(parse_error(R"({"publisher": {"payload": "file"}})").key(), "publisher.payload_file");
  std::filesystem::remove_all(dir);
}

TEST(ExperimentSlow, SlowSettingsReachTheSubscribers) {
  const Scenario s = parse(R"({"subscribers": {"slow": {"fraction": 0.25, "rate": 50}}})");
  const auto sub = subscriber_wire_config(s, WireTarget{"127.0.0.1:9092", "t", 3, "g"}, 0, 2);
  EXPECT_DOUBLE_EQ(sub.slow_fraction, 0.25);
  EXPECT_DOUBLE_EQ(sub.slow_rate, 50);
}

TEST(ExperimentTopic, TopicConfigIsAMapOfStringsAndSweepable) {
  json doc = load_scenario_json(
      R"({"topic": {"config": {"retention.ms": 60000, "cleanup.policy": "delete"}},
          "sweep": {"topic.config.segment.bytes": [1048576, 2097152]}})",
      "t.json");
  const Scenario s = parse_scenario(doc, "t.json");
  EXPECT_EQ(s.topic.config.at("retention.ms"), "60000");
  const auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].scenario.topic.config.at("segment.bytes"), "2097152");
  EXPECT_EQ(steps[1].scenario.topic.config.at("retention.ms"), "60000");
  const ScenarioError e = parse_error(
      R"({"broker": {"embedded": {"kind": "mock"}}, "topic": {"config": {"retention.ms": 1}}})");
  EXPECT_EQ(e.key(), "topic.config");
}

TEST(ExperimentTopic, TopicConfigReachesTopicCreation) {
  // The Kafka admin hands the step's topic.config to creation.
  std::map<std::string, std::string> seen;
  AdminTarget target;
  target.bootstrap = "127.0.0.1:1";
  target.create_in_process = [&](const std::string&, int, int,
                                 const std::map<std::string, std::string>& config) {
    seen = config;
  };
  TopicSpec spec;
  spec.name = "t";
  spec.config = {{"retention.ms", "60000"}, {"segment.bytes", "1048576"}};
  make_kafka_admin(target, {})->ensure_topic(spec);
  EXPECT_EQ(seen, spec.config);
  // The embedded hydra broker applies retention, refuses compaction and a
  // bad number, and accepts what it does not use.
  EmbeddedBroker hydra_broker(1);
  EXPECT_NO_THROW(hydra_broker.create_topic("kept", 1, 1, spec.config));
  try {
    hydra_broker.create_topic("compacted", 1, 1, {{"cleanup.policy", "compact"}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cleanup.policy"), std::string::npos) << e.what();
  }
  EXPECT_THROW(hydra_broker.create_topic("bad", 1, 1, {{"retention.ms", "soon"}}),
               std::invalid_argument);
  EmbeddedBroker mock(1, EmbeddedBroker::Kind::kMock);
  EXPECT_THROW(mock.create_topic("m", 1, 1, {{"retention.ms", "1"}}), std::invalid_argument);
  EXPECT_NO_THROW(mock.create_topic("m", 1, 1));
}

TEST(ExperimentScenarios, EveryShippedExperimentLoadsAndExpands) {
  for (const char* name : {"hot-partition", "serializers", "slow-consumers", "sensor-pipeline",
                           "producer-record-size"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(HYDRA_SOURCE_DIR) + "/scenarios/" + name + ".json";
    const Scenario s = load_scenario(path, {});
    EXPECT_EQ(s.name, name);
    EXPECT_GE(expand_steps(s).size(), 2u);
  }
}

}  // namespace
}  // namespace hydra
