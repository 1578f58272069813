// The `faults` key: the two forms the issue fixes, every action's keys, and
// each rejection naming the entry and the key; the checks that depend on the
// step (window length, broker kind, agent count).
#include "harness/faults.h"

#include <string>

#include <gtest/gtest.h>

#include "harness/scenario.h"
#include "harness/sweep.h"

namespace hydra {
namespace {

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "t.json"), "t.json");
}

// The ScenarioError's message for `text`; fails when it parses.
std::string error_of(const std::string& text) {
  try {
    auto sc = parse(text);
    expand_steps(sc);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ScenarioError for: " << text;
  return "";
}

std::string with_faults(const std::string& list, const std::string& rest = "") {
  return R"({"duration_s": 8, "subscribers": {"clients": 2, "clients_per_agent": 1})" + rest +
         R"(, "faults": )" + list + "}";
}

TEST(Faults, TheIssuesTwoFormsParse) {
  const Scenario s = parse(with_faults(
      R"([{ "at_s": 3, "action": "broker_down", "for_s": 2 },
          { "at_s": 5, "action": "kill", "target": "subscriber", "index": 0 }])"));
  ASSERT_EQ(s.faults.size(), 2u);
  EXPECT_EQ(s.faults[0].action, "broker_down");
  EXPECT_DOUBLE_EQ(s.faults[0].at_s, 3);
  EXPECT_DOUBLE_EQ(s.faults[0].for_s, 2);
  EXPECT_EQ(s.faults[0].describe(), "broker_down@3+2");
  EXPECT_EQ(s.faults[1].action, "kill");
  EXPECT_EQ(s.faults[1].target, "subscriber");
  EXPECT_EQ(s.faults[1].agent_index, 0);
  EXPECT_EQ(s.faults[1].describe(), "kill:subscriber0@5");
  // Written back normalized into the resolved scenario (scenario.json).
  ASSERT_TRUE(s.resolved.contains("faults"));
  EXPECT_EQ(s.resolved["faults"][1]["target"], "subscriber");
}

TEST(Faults, EveryActionParsesWithItsKeys) {
  const Scenario s = parse(with_faults(
      R"([{"at_s": 1, "action": "broker_rtt", "delay_ms": 50, "for_s": 1},
          {"at_s": 1, "action": "leader_change", "partition": 1, "to_broker": 2},
          {"at_s": 1, "action": "request_errors", "request": "Produce",
           "error": "NOT_LEADER_OR_FOLLOWER", "count": 3},
          {"at_s": 1, "action": "request_errors", "request": "Fetch", "error": 7},
          {"at_s": 1, "action": "disconnect"},
          {"at_s": 1, "action": "pause", "target": "publisher", "for_s": 1},
          {"at_s": 1, "action": "slow", "target": "subscriber", "index": 1, "rate": 10, "for_s": 2},
          {"at_s": 1, "action": "command", "run": "true", "timeout_s": 2}])",
      R"(, "broker": {"embedded": {"brokers": 2}}, "topic": {"partitions": 2, "replication": 2})"));
  ASSERT_EQ(s.faults.size(), 8u);
  EXPECT_EQ(s.faults[2].api_key, 0);
  EXPECT_EQ(s.faults[2].error_code, 6);
  EXPECT_EQ(s.faults[2].count, 3);
  EXPECT_EQ(s.faults[3].api_key, 1);
  EXPECT_EQ(s.faults[3].error_code, 7);
  EXPECT_EQ(s.faults[3].count, 1);
  EXPECT_EQ(s.faults[6].rate, 10);
  EXPECT_EQ(s.faults[7].run, "true");
  EXPECT_EQ(describe_faults({s.faults[0], s.faults[5]}),
            "broker_rtt:50ms@1+1 pause:publisher0@1+1");
}

TEST(Faults, BadEntriesNameTheEntryAndTheKey) {
  struct Case {
    std::string list, want;
  };
  const Case cases[] = {
      {R"({"at_s": 1})", "faults: must be a list"},
      {R"([3])", "faults[0]: must be an object"},
      {R"([{"at_s": 1}])", "faults[0].action: missing"},
      {R"([{"at_s": 1, "action": "explode"}])", "faults[0].action: unknown action \"explode\""},
      {R"([{"action": "disconnect"}])", "faults[0].at_s: missing"},
      {R"([{"at_s": -1, "action": "disconnect"}])", "faults[0].at_s: must be a number >= 0"},
      {R"([{"at_s": 1, "action": "disconnect"}, {"at_s": 1, "action": "broker_down"}])",
       "faults[1].for_s: missing"},
      {R"([{"at_s": 1, "action": "broker_down", "for_s": 0}])",
       "faults[0].for_s: must be a number > 0"},
      {R"([{"at_s": 1, "action": "broker_down", "for_s": 1, "target": "x"}])",
       "faults[0].target: unknown key for action \"broker_down\""},
      {R"([{"at_s": 1, "action": "kill"}])", "faults[0].target: missing"},
      {R"([{"at_s": 1, "action": "kill", "target": "broker"}])", "faults[0].target: must be"},
      {R"([{"at_s": 1, "action": "request_errors", "request": "Nope", "error": 6}])",
       "faults[0].request: must be one of"},
      {R"([{"at_s": 1, "action": "request_errors", "request": "Produce", "error": 0}])",
       "faults[0].error: must be a non-zero Kafka error code"},
      {R"([{"at_s": 1, "action": "broker_rtt", "for_s": 1}])", "faults[0].delay_ms: missing"},
      {R"([{"at_s": 1, "action": "command", "run": ""}])", "faults[0].run: must be a non-empty"},
      {R"([{"at_s": 1, "action": "slow", "target": "subscriber", "for_s": 1}])",
       "faults[0].rate: missing"},
      // What depends on the step.
      {R"([{"at_s": 8, "action": "disconnect"}])",
       "faults[0].at_s: 8 is not inside the measured window"},
      {R"([{"at_s": 1, "action": "kill", "target": "subscriber", "index": 2}])",
       "faults[0].index: subscriber agent 2 does not exist"},
      {R"([{"at_s": 1, "action": "kill", "target": "publisher", "index": 1}])",
       "faults[0].index: publisher agent 1 does not exist (the step has 1"},
      {R"([{"at_s": 1, "action": "broker_down", "for_s": 1, "broker": 2}])",
       "faults[0].broker: 2 is not a broker of this step"},
      {R"([{"at_s": 1, "action": "leader_change"}])",
       "faults[0].action: leader_change needs broker.embedded.brokers >= 2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.list);
    const std::string e = error_of(with_faults(c.list));
    EXPECT_NE(e.find("t.json: " + c.want), std::string::npos) << e;
  }
}

TEST(Faults, BrokerFaultsOnARealClusterPointToCommand) {
  const std::string e =
      error_of(with_faults(R"([{"at_s": 1, "action": "broker_down", "for_s": 2}])",
                           R"(, "broker": {"bootstrap": "127.0.0.1:9092"})"));
  EXPECT_NE(e.find("faults[0].action: \"broker_down\" acts on the embedded broker"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("\"command\""), std::string::npos) << e;
  // Agent faults and commands are fine there.
  EXPECT_NO_THROW(parse(with_faults(
      R"([{"at_s": 1, "action": "command", "run": "true"},
          {"at_s": 2, "action": "kill", "target": "subscriber"}])",
      R"(, "broker": {"bootstrap": "127.0.0.1:9092"})")));
}

TEST(Faults, ASweptDurationIsCheckedStepByStep) {
  const std::string e = error_of(with_faults(R"([{"at_s": 3, "action": "disconnect"}])",
                                             R"(, "sweep": {"duration_s": [5, 2]})"));
  EXPECT_NE(e.find("faults[0].at_s: 3 is not inside the measured window (duration_s 2)"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace hydra
