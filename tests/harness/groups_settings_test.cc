// Shared consumer groups and delivery semantics in the scenario: the rules
// between their keys (each refusal names the key and why), and each key's
// way from the scenario through the wire configuration to the effective
// librdkafka configuration (agents/kafka/kafka_factories.h), not the JSON.
#include <gtest/gtest.h>

#include <string>

#include "agents/kafka/kafka_factories.h"
#include "harness/scenario.h"
#include "harness/wire_config.h"

namespace hydra {
namespace {

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "t.json"), "t.json");
}

// The refusal of `text`: the key it names and its message.
std::pair<std::string, std::string> refusal(const std::string& text) {
  try {
    parse(text);
  } catch (const ScenarioError& e) {
    return {e.key(), e.what()};
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const WireTarget kTarget{"127.0.0.1:9092", "t", 3, "run-s0r0"};

TEST(GroupSettings, SharedGroupsAreAccepted) {
  const Scenario sc = parse(R"({"subscribers": {"clients": 8, "clients_per_agent": 4,
      "groups": "shared", "group_count": 4, "commit": "after-process"}})");
  EXPECT_TRUE(sc.subscribers.shared());
  EXPECT_EQ(sc.subscribers.group_members(), 2);
  EXPECT_EQ(sc.subscribers.agents(), 2);
}

TEST(GroupSettings, ClientsMustSplitEvenlyIntoGroups) {
  const auto [key, what] =
      refusal(R"({"subscribers": {"clients": 6, "groups": "shared", "group_count": 4}})");
  EXPECT_EQ(key, "subscribers.group_count");
  EXPECT_TRUE(contains(what,
                       "subscribers.clients (6) must be a multiple of "
                       "subscribers.group_count (4)"))
      << what;
}

TEST(GroupSettings, AGroupMustFitInOneAgent) {
  // 8 clients, 2 groups of 4, 3 clients per agent: a group would span agents.
  const auto [key, what] = refusal(R"({"subscribers": {"clients": 8, "clients_per_agent": 3,
      "groups": "shared", "group_count": 2}})");
  EXPECT_EQ(key, "subscribers.clients_per_agent");
  EXPECT_TRUE(contains(what, "must be a multiple of the 4 members per group")) << what;
  // One agent holding every client is fine whatever the group size.
  EXPECT_NO_THROW(parse(R"({"subscribers": {"clients": 6, "clients_per_agent": 10,
      "groups": "shared", "group_count": 2}})"));
}

TEST(GroupSettings, GroupCountAndCommitNeedSharedGroups) {
  auto [key, what] = refusal(R"({"subscribers": {"clients": 4, "group_count": 2}})");
  EXPECT_EQ(key, "subscribers.group_count");
  EXPECT_TRUE(contains(what, "needs subscribers.groups \"shared\"")) << what;
  std::tie(key, what) = refusal(R"({"subscribers": {"commit": "before-process"}})");
  EXPECT_EQ(key, "subscribers.commit");
  EXPECT_TRUE(contains(what, "needs subscribers.groups \"shared\"")) << what;
  std::tie(key, what) = refusal(R"({"subscribers": {"groups": "shared", "commit": "sometimes"}})");
  EXPECT_EQ(key, "subscribers.commit");
  EXPECT_TRUE(contains(what, "\"after-process\", \"before-process\"")) << what;
}

TEST(GroupSettings, IdempotenceAndTransactionsNeedAcksAll) {
  auto [key, what] = refusal(R"({"publisher": {"acks": 1, "idempotent": true}})");
  EXPECT_EQ(key, "publisher.idempotent");
  EXPECT_TRUE(contains(what, "needs publisher.acks \"all\" (got \"1\")")) << what;
  std::tie(key, what) = refusal(R"({"broker": {"embedded": {"kind": "mock"}},
      "publisher": {"acks": 0, "transactional": true}})");
  EXPECT_EQ(key, "publisher.transactional");
  std::tie(key, what) = refusal(R"({"publisher": {"acks": "all", "transactional": true}})");
  EXPECT_EQ(key, "publisher.transactional");
  EXPECT_TRUE(contains(what, "has none; use \"mock\" or broker.bootstrap")) << what;
  EXPECT_NO_THROW(parse(R"({"broker": {"embedded": {"kind": "mock"}},
      "publisher": {"acks": "all", "transactional": true}})"));
}

TEST(GroupSettings, IdempotenceReachesTheProducerConfiguration) {
  // Off is librdkafka's default, so only "on" shows in the effective
  // configuration (which lists what differs from the defaults).
  const Scenario plain = parse(R"({"publisher": {"acks": "all"}})");
  EXPECT_EQ(effective_producer_properties(publisher_wire_config(plain, kTarget))
                .count("enable.idempotence"),
            0u);
  const Scenario idem = parse(R"({"publisher": {"acks": "all", "idempotent": true}})");
  const KafkaPropMap p = effective_producer_properties(publisher_wire_config(idem, kTarget));
  EXPECT_EQ(p.at("enable.idempotence"), "true");
  EXPECT_EQ(p.count("transactional.id"), 0u);
}

TEST(GroupSettings, TransactionsReachProducerAndConsumers) {
  const Scenario sc = parse(R"({"broker": {"embedded": {"kind": "mock"}},
      "publisher": {"acks": "all", "transactional": true}})");
  const KafkaPropMap p = effective_producer_properties(publisher_wire_config(sc, kTarget));
  EXPECT_EQ(p.at("enable.idempotence"), "true");
  EXPECT_EQ(p.at("transactional.id"), "hydra-t-3");  // topic and producer id
  const KafkaPropMap c =
      effective_consumer_properties(subscriber_wire_config(sc, kTarget, 0, 1), 0);
  // read_committed is librdkafka's default, so the effective configuration
  // lists it only by difference: the non-transactional consumer reads
  // uncommitted.
  EXPECT_EQ(c.count("isolation.level"), 0u);
  const Scenario plain = parse("{}");
  EXPECT_EQ(effective_consumer_properties(subscriber_wire_config(plain, kTarget, 0, 1), 0)
                .at("isolation.level"),
            "read_uncommitted");
}

TEST(GroupSettings, CommitModesReachTheConsumerConfiguration) {
  auto props = [](const std::string& commit, int client) {
    const Scenario sc = parse(R"({"subscribers": {"clients": 4, "groups": "shared",
        "group_count": 2, "commit": ")" +
                              commit + R"("}})");
    return effective_consumer_properties(subscriber_wire_config(sc, kTarget, 0, 4), client);
  };
  // Members 0 and 1 share group 0, members 2 and 3 group 1.
  EXPECT_EQ(props("auto", 1).at("group.id"), "run-s0r0-g0");
  EXPECT_EQ(props("auto", 2).at("group.id"), "run-s0r0-g1");
  // librdkafka's defaults (auto-commit and auto-store on) are not listed.
  EXPECT_EQ(props("auto", 0).count("enable.auto.commit"), 0u);
  EXPECT_EQ(props("auto", 0).count("enable.auto.offset.store"), 0u);
  // at-least-once: the auto-commit sends what Hydra stored after counting.
  EXPECT_EQ(props("after-process", 0).count("enable.auto.commit"), 0u);
  EXPECT_EQ(props("after-process", 0).at("enable.auto.offset.store"), "false");
  // at-most-once and none: no auto-commit (before-process commits itself).
  EXPECT_EQ(props("before-process", 0).at("enable.auto.commit"), "false");
  EXPECT_EQ(props("none", 0).at("enable.auto.commit"), "false");
  // A per-client group never commits.
  const Scenario per_client = parse("{}");
  const KafkaPropMap c =
      effective_consumer_properties(subscriber_wire_config(per_client, kTarget, 0, 1), 0);
  EXPECT_EQ(c.at("enable.auto.commit"), "false");
  EXPECT_EQ(c.at("group.id"), "run-s0r0-c0");
}

}  // namespace
}  // namespace hydra
