// Sweep expansion, step checks, describe_steps and the shipped scenario files.
#include "harness/sweep.h"

#include <algorithm>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hydra {
namespace {

using json = nlohmann::ordered_json;

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "t.json"), "t.json");
}

ScenarioError expand_error(const std::string& text) {
  Scenario s = parse(text);
  try {
    expand_steps(s);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no ScenarioError for: " << text;
  return ScenarioError("", "", "", "");
}

TEST(ExpandSteps, NoSweepIsOneStep) {
  Scenario s = parse(R"({"publisher": {"rate": 123}})");
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].index, 0);
  EXPECT_TRUE(steps[0].swept.empty());
  EXPECT_DOUBLE_EQ(steps[0].scenario.publisher.rate, 123);
  EXPECT_TRUE(steps[0].scenario.sweep.empty());
}

TEST(ExpandSteps, FirstKeyIsOutermost) {
  Scenario s = parse(R"({"sweep": {"subscribers.clients": [10, 50, 300],
                                   "publisher.rate": [1000, 2000]}})");
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 6u);
  const std::vector<std::pair<int, double>> expected = {{10, 1000}, {10, 2000},  {50, 1000},
                                                        {50, 2000}, {300, 1000}, {300, 2000}};
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].index, static_cast<int>(i));
    ASSERT_EQ(steps[i].swept.size(), 2u);
    EXPECT_EQ(steps[i].swept[0].first, "subscribers.clients");
    EXPECT_EQ(steps[i].swept[1].first, "publisher.rate");
    EXPECT_EQ(steps[i].swept[0].second, expected[i].first);
    EXPECT_EQ(steps[i].swept[1].second, expected[i].second);
    // The step's scenario carries the swept values, and no sweep of its own.
    EXPECT_EQ(steps[i].scenario.subscribers.clients, expected[i].first);
    EXPECT_DOUBLE_EQ(steps[i].scenario.publisher.rate, expected[i].second);
    EXPECT_TRUE(steps[i].scenario.sweep.empty());
    EXPECT_EQ(steps[i].scenario.resolved["sweep"], json::object());
    EXPECT_EQ(steps[i].scenario.resolved["publisher"]["rate"], expected[i].second);
  }
}

TEST(ExpandSteps, ThreeAxesCountAndOrder) {
  Scenario s = parse(R"({"sweep": {"topic.partitions": [1, 2],
                                   "publisher.acks": [0, "all"],
                                   "publisher.kafka.batch.size": [1000, 2000, 4000]}})");
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 12u);
  // Last axis fastest, first slowest.
  EXPECT_EQ(steps[0].scenario.publisher.kafka.at("batch.size"), "1000");
  EXPECT_EQ(steps[1].scenario.publisher.kafka.at("batch.size"), "2000");
  EXPECT_EQ(steps[3].scenario.publisher.acks, "all");
  EXPECT_EQ(steps[3].scenario.publisher.kafka.at("batch.size"), "1000");
  EXPECT_EQ(steps[5].scenario.topic.partitions, 1);
  EXPECT_EQ(steps[6].scenario.topic.partitions, 2);
  EXPECT_EQ(steps[6].scenario.publisher.acks, "0");
  EXPECT_EQ(steps[11].swept[2].second, "4000");
}

TEST(ExpandSteps, SweepingABrokerKindSwitchesEachStep) {
  Scenario s = parse(R"({"sweep": {"broker.bootstrap": ["a:9092", "b:9092"]}})");
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_FALSE(steps[1].scenario.broker.embedded());
  EXPECT_EQ(steps[1].scenario.broker.bootstrap, "b:9092");
}

TEST(ExpandSteps, ImpossibleSweptValueIsNamedWithItsIndex) {
  ScenarioError e = expand_error(R"({"sweep": {"topic.replication": [1, 3]}})");
  EXPECT_EQ(e.key(), "topic.replication");
  EXPECT_STREQ(e.what(),
               "t.json: sweep topic.replication[1]: 3 is more than broker.embedded.brokers (1)");
}

TEST(ExpandSteps, ImpossibleCombinationNamesTheStep) {
  ScenarioError e = expand_error(R"({"topic": {"replication": 3},
                                     "sweep": {"broker.embedded.brokers": [3, 1]}})");
  EXPECT_EQ(e.key(), "topic.replication");
  EXPECT_STREQ(e.what(),
               "t.json: step 1 (broker.embedded.brokers=1): topic.replication: 3 is more than "
               "broker.embedded.brokers (1)");

  ScenarioError p = expand_error(R"({"publisher": {"message_size": 200},
                                     "subscribers": {"processing": {"kind": "zscore"}},
                                     "sweep": {"publisher.payload": ["sensor", "random"]}})");
  EXPECT_EQ(p.key(), "subscribers.processing.kind");
  EXPECT_EQ(p.label(), "step 1 (publisher.payload=random): subscribers.processing.kind");
}

TEST(ExpandSteps, OverlappingOrDoubleBrokerAxesAreRejected) {
  EXPECT_THROW(parse(R"({"sweep": {"publisher.kafka": [{}], "publisher.kafka.acks": [1]}})"),
               ScenarioError);
  EXPECT_THROW(parse(R"({"sweep": {"broker.embedded.brokers": [1], "broker.bootstrap": ["a:1"]}})"),
               ScenarioError);
}

TEST(ExpandSteps, TooManyStepsIsAnError) {
  std::string values = "[";
  for (int i = 1; i <= 400; ++i) values += (i > 1 ? "," : "") + std::to_string(i);
  values += "]";
  Scenario s = parse(R"({"sweep": {"subscribers.clients": )" + values + R"(, "publisher.rate": )" +
                     values + "}}");
  EXPECT_THROW(expand_steps(s), ScenarioError);
}

// Each line of `text` as its whitespace-separated words.
std::vector<std::vector<std::string>> words_of_lines(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    lines.emplace_back(std::istream_iterator<std::string>(words),
                       std::istream_iterator<std::string>());
  }
  return lines;
}

TEST(DescribeSteps, ListsEveryStepAndTheEstimate) {
  Scenario s = parse(R"({"name": "demo", "duration_s": 10, "warmup_s": 2, "repeats": 2,
                         "subscribers": {"clients_per_agent": 10},
                         "sweep": {"subscribers.clients": [5, 25], "publisher.rate": [0, 1500]}})");
  auto steps = expand_steps(s);
  std::string text = describe_steps(s, steps);
  EXPECT_NE(text.find("demo"), std::string::npos) << text;
  EXPECT_NE(text.find("embedded, 1 broker"), std::string::npos) << text;
  EXPECT_NE(text.find("subscribers.clients [5, 25] x publisher.rate [0, 1500]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("client_count"), std::string::npos) << text;
  EXPECT_NE(text.find("sub_agents"), std::string::npos) << text;
  EXPECT_NE(text.find("unthrottled"), std::string::npos) << text;
  // The table: a header, then one line per step; step 3 is 25 clients at
  // 1500 msg/s in ceil(25/10) = 3 agents.
  auto lines = words_of_lines(text);
  auto header = std::find(lines.begin(), lines.end(),
                          std::vector<std::string>{"step", "subscribers.clients", "publisher.rate",
                                                   "client_count", "rate", "sub_agents"});
  ASSERT_NE(header, lines.end()) << text;
  ASSERT_GE(lines.end() - header, 5);
  EXPECT_EQ(header[1], (std::vector<std::string>{"0", "5", "0", "5", "unthrottled", "1"}));
  EXPECT_EQ(header[4], (std::vector<std::string>{"3", "25", "1500", "25", "1500", "3"}));
  // 4 steps x 2 repeats x (2 + 10 + 3) s = 120 s.
  EXPECT_DOUBLE_EQ(estimated_run_seconds(steps), 120);
  EXPECT_NE(text.find("4 steps x 2 repeats, estimated wall time 2 min 0 s"), std::string::npos)
      << text;
}

// ---- the shipped scenario files ----

const std::string kScenarios = std::string(HYDRA_SOURCE_DIR) + "/scenarios/";

TEST(ShippedScenarios, SmokeIsShortAndHasTwoSteps) {
  Scenario s = load_scenario(kScenarios + "smoke.json", {});
  EXPECT_EQ(s.name, "smoke");
  EXPECT_TRUE(s.broker.embedded());
  EXPECT_DOUBLE_EQ(s.duration_s, 2);
  EXPECT_DOUBLE_EQ(s.warmup_s, 1);
  EXPECT_EQ(s.subscribers.clients_per_agent, 2);
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].scenario.subscribers.clients, 2);
  EXPECT_DOUBLE_EQ(steps[0].scenario.publisher.rate, 500);
  EXPECT_DOUBLE_EQ(steps[1].scenario.publisher.rate, 1000);
  EXPECT_EQ(steps[1].scenario.subscribers.agents(), 1);
  EXPECT_LT(estimated_run_seconds(steps), 30);
}

TEST(ShippedScenarios, HydraKafkaIsTheClassicGrid) {
  Scenario s = load_scenario(kScenarios + "hydra-kafka.json", {});
  EXPECT_EQ(s.name, "hydra-kafka");
  EXPECT_DOUBLE_EQ(s.duration_s, 10);
  EXPECT_DOUBLE_EQ(s.warmup_s, 2);
  EXPECT_EQ(s.publisher.acks, "1");
  EXPECT_EQ(s.publisher.message_size, 100);
  EXPECT_EQ(s.publisher.msg_batch, 100);
  EXPECT_EQ(s.subscribers.groups, "per-client");
  EXPECT_EQ(s.subscribers.clients_per_agent, 100);
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 16u);
  EXPECT_EQ(steps[0].scenario.subscribers.clients, 10);
  EXPECT_DOUBLE_EQ(steps[0].scenario.publisher.rate, 1000);
  EXPECT_EQ(steps[15].scenario.subscribers.clients, 500);
  EXPECT_DOUBLE_EQ(steps[15].scenario.publisher.rate, 3000);
  EXPECT_EQ(steps[15].scenario.subscribers.agents(), 5);
  EXPECT_EQ(steps[4].swept[0].second, 50);  // client count is the outer loop
}

TEST(ShippedScenarios, SetPinsAnAxisOfTheGrid) {
  Scenario s = load_scenario(kScenarios + "hydra-kafka.json", {"publisher.rate=2500"});
  auto steps = expand_steps(s);
  ASSERT_EQ(steps.size(), 4u);
  for (const auto& step : steps) EXPECT_DOUBLE_EQ(step.scenario.publisher.rate, 2500);
}

}  // namespace
}  // namespace hydra
