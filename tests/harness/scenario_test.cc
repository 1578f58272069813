// Scenario parsing: defaults, every rejection, comments, --set.
#include "harness/scenario.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hydra {
namespace {

using json = nlohmann::ordered_json;

const std::string kFixtures = std::string(HYDRA_SOURCE_DIR) + "/tests/harness/scenarios/";

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "t.json"), "t.json");
}

// The error parsing `text` throws; fails the test when it throws nothing.
ScenarioError parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no ScenarioError for: " << text;
  return ScenarioError("", "", "", "");
}

ScenarioError load_error(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    load_scenario(path, sets);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no ScenarioError for: " << path;
  return ScenarioError("", "", "", "");
}

TEST(ScenarioDefaults, EmptyObjectGivesEveryDefault) {
  Scenario s = parse("{}");
  EXPECT_EQ(s.name, "hydra");
  EXPECT_TRUE(s.broker.embedded());
  EXPECT_EQ(s.broker.embedded_brokers, 1);
  EXPECT_EQ(s.broker.bootstrap, "");
  EXPECT_EQ(s.topic.name, "hydra");
  EXPECT_EQ(s.topic.partitions, 1);
  EXPECT_EQ(s.topic.replication, 1);
  EXPECT_FALSE(s.topic.reuse);
  EXPECT_DOUBLE_EQ(s.duration_s, 10);
  EXPECT_DOUBLE_EQ(s.warmup_s, 2);
  EXPECT_DOUBLE_EQ(s.drain_timeout_s, 10);
  EXPECT_DOUBLE_EQ(s.control_timeout_s, 10);
  EXPECT_EQ(s.repeats, 1);
  EXPECT_DOUBLE_EQ(s.publisher.rate, 2000);
  EXPECT_EQ(s.publisher.message_size, 100);
  EXPECT_EQ(s.publisher.msg_batch, 100);
  EXPECT_EQ(s.publisher.acks, "1");
  EXPECT_DOUBLE_EQ(s.publisher.linger_ms, 5);
  EXPECT_EQ(s.publisher.payload, "random");
  EXPECT_EQ(s.publisher.keys, 0);
  EXPECT_TRUE(s.publisher.kafka.empty());
  EXPECT_EQ(s.subscribers.clients, 10);
  EXPECT_EQ(s.subscribers.clients_per_agent, 100);
  EXPECT_EQ(s.subscribers.groups, "per-client");
  EXPECT_TRUE(s.subscribers.kafka.empty());
  EXPECT_EQ(s.subscribers.processing.kind, "none");
  EXPECT_EQ(s.subscribers.processing.device, "cpu");
  EXPECT_EQ(s.subscribers.processing.batch, 4096);
  EXPECT_DOUBLE_EQ(s.subscribers.processing.linger_ms, 2);
  EXPECT_EQ(s.subscribers.processing.threads, 1);
  EXPECT_EQ(s.subscribers.processing.window_ms, 1000);
  EXPECT_TRUE(s.sweep.empty());
  EXPECT_EQ(s.source, "t.json");
}

TEST(ScenarioDefaults, ResolvedDocumentHasEveryDefaultInOrder) {
  Scenario s = parse("{}");
  const json& r = s.resolved;
  std::vector<std::string> top;
  for (const auto& [k, v] : r.items()) top.push_back(k);
  EXPECT_EQ(top, (std::vector<std::string>{"name", "broker", "topic", "duration_s", "warmup_s",
                                           "drain_timeout_s", "control_timeout_s", "repeats",
                                           "publisher", "subscribers", "mode", "max_loss_pct",
                                           "max_probes", "agents", "sweep"}));
  EXPECT_EQ(r["broker"], json::parse(R"({"embedded": {"kind": "hydra", "brokers": 1,
                                                     "listen": "127.0.0.1"}, "kafka": {}})"));
  EXPECT_EQ(r["agents"]["hosts"], json::array());
  EXPECT_EQ(r["publisher"]["rate"], 2000);
  EXPECT_TRUE(r["publisher"]["rate"].is_number_integer());  // 2000, not 2000.0
  EXPECT_EQ(r["publisher"]["acks"], "1");
  EXPECT_EQ(r["publisher"]["kafka"], json::object());
  EXPECT_EQ(r["subscribers"]["processing"]["kind"], "none");
  EXPECT_EQ(r["sweep"], json::object());
  // The resolved document parses back to the same scenario.
  Scenario again = parse_scenario(r, "again");
  EXPECT_EQ(again.resolved, r);
}

TEST(ScenarioParse, ReadsEveryKindOfValue) {
  Scenario s = parse(R"({
    "name": "big-run_1.0",
    "broker": {"bootstrap": "k1:9092,k2:9093"},
    "topic": {"name": "t", "partitions": 12, "replication": 3, "reuse": true},
    "duration_s": 0.5, "warmup_s": 0, "repeats": 3,
    "publisher": {"rate": 0, "acks": "all", "payload": "sensor", "message_size": 104, "keys": 16,
                  "kafka": {"compression.type": "lz4", "batch.size": 65536, "enable.idempotence": true,
                            "queue.buffering.max.ms": 0.5}},
    "subscribers": {"clients": 25, "clients_per_agent": 10, "groups": "per-client",
                    "kafka": {"fetch.min.bytes": 1},
                    "processing": {"kind": "zscore", "device": "auto", "threads": 4}}
  })");
  EXPECT_EQ(s.name, "big-run_1.0");
  EXPECT_FALSE(s.broker.embedded());
  EXPECT_EQ(s.broker.bootstrap, "k1:9092,k2:9093");
  EXPECT_EQ(s.topic.replication, 3);
  EXPECT_TRUE(s.topic.reuse);
  EXPECT_DOUBLE_EQ(s.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(s.publisher.rate, 0);
  EXPECT_EQ(s.publisher.acks, "all");
  EXPECT_EQ(s.publisher.keys, 16);
  EXPECT_EQ(s.publisher.kafka.at("compression.type"), "lz4");
  EXPECT_EQ(s.publisher.kafka.at("batch.size"), "65536");
  EXPECT_EQ(s.publisher.kafka.at("enable.idempotence"), "true");
  EXPECT_EQ(s.publisher.kafka.at("queue.buffering.max.ms"), "0.5");
  EXPECT_EQ(s.subscribers.kafka.at("fetch.min.bytes"), "1");
  EXPECT_EQ(s.subscribers.groups, "per-client");
  EXPECT_EQ(s.subscribers.agents(), 3);
  EXPECT_EQ(s.subscribers.processing.kind, "zscore");
  EXPECT_EQ(s.subscribers.processing.threads, 4);
  // A real cluster's resolved broker has no embedded part.
  EXPECT_EQ(s.resolved["broker"], json::parse(R"({"bootstrap": "k1:9092,k2:9093", "kafka": {}})"));
  EXPECT_EQ(s.resolved["publisher"]["kafka"]["batch.size"], "65536");
}

TEST(ScenarioParse, AcksAcceptsNumbersAndAll) {
  EXPECT_EQ(parse(R"({"publisher": {"acks": 0}})").publisher.acks, "0");
  EXPECT_EQ(parse(R"({"publisher": {"acks": 1}})").publisher.acks, "1");
  EXPECT_EQ(parse(R"({"publisher": {"acks": -1}})").publisher.acks, "all");
  EXPECT_EQ(parse(R"({"publisher": {"acks": "all"}})").publisher.acks, "all");
  ScenarioError e = parse_error(R"({"publisher": {"acks": 2}})");
  EXPECT_EQ(e.key(), "publisher.acks");
  EXPECT_STREQ(e.what(), R"(t.json: publisher.acks: must be 0, 1, -1 or "all" (got 2))");
}

TEST(ScenarioParse, CommentsAreAccepted) {
  Scenario s = parse(R"(// leading comment
  {
    /* block
       comment */
    "publisher": { "rate": 750 }, // trailing
    "name": "commented" /* inline */
  })");
  EXPECT_DOUBLE_EQ(s.publisher.rate, 750);
  EXPECT_EQ(s.name, "commented");
}

TEST(ScenarioParse, IntegralFloatIsAnInteger) {
  EXPECT_EQ(parse(R"({"topic": {"partitions": 4.0}})").topic.partitions, 4);
  EXPECT_EQ(parse_error(R"({"topic": {"partitions": 2.5}})").key(), "topic.partitions");
}

// ---- syntax errors ----

TEST(ScenarioSyntax, ErrorGivesLineAndColumn) {
  // Missing comma: the unexpected string starts at line 3, column 3.
  try {
    load_scenario_json("{\n  \"a\": 1\n  \"b\": 2\n}\n", "x.json");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.source(), "x.json:3:3");
    EXPECT_EQ(std::string(e.what()).rfind("x.json:3:3: syntax error", 0), 0u) << e.what();
    EXPECT_EQ(std::string(e.what()).find("json.exception"), std::string::npos) << e.what();
    EXPECT_EQ(e.key(), "");
  }
}

TEST(ScenarioSyntax, PositionCountsCommentsAndColumns) {
  // The bad literal "tru" is on line 3 (after a comment line); the parser
  // stops at the space after it (col 11).
  try {
    load_scenario_json("// header\n{\n  \"a\": tru }", "y.json");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.source(), "y.json:3:11") << e.what();
  }
  try {
    load_scenario_json("", "empty.json");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.source(), "empty.json:1:1") << e.what();
  }
}

TEST(ScenarioSyntax, FixtureFileReportsItsLine) {
  ScenarioError e = load_error(kFixtures + "syntax_error.json");
  EXPECT_EQ(e.source(), kFixtures + "syntax_error.json:6:5") << e.what();
}

TEST(ScenarioSyntax, TopLevelMustBeAnObject) {
  try {
    load_scenario_json("[1, 2]", "a.json");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(), "a.json: the top level must be a JSON object (got [1,2])");
  }
}

// ---- unknown keys ----

TEST(ScenarioUnknownKey, TopLevel) {
  ScenarioError e = parse_error(R"({"duration": 5})");
  EXPECT_EQ(e.key(), "duration");
  EXPECT_STREQ(e.what(),
               "t.json: unknown key \"duration\" (allowed: name, broker, topic, duration_s, "
               "warmup_s, drain_timeout_s, control_timeout_s, repeats, publisher, subscribers, "
               "mode, max_loss_pct, max_probes, agents, sweep, faults)");
}

TEST(ScenarioUnknownKey, SecondLevelListsItsSiblings) {
  ScenarioError e = parse_error(R"({"publisher": {"rat": 5}})");
  EXPECT_EQ(e.key(), "publisher.rat");
  EXPECT_STREQ(e.what(),
               "t.json: unknown key \"publisher.rat\" (allowed: rate, message_size, msg_batch, "
               "acks, linger_ms, payload, encoding, compressibility, payload_file, keys, enabled, "
               "idempotent, transactional, kafka, agents, generators)");
}

TEST(ScenarioUnknownKey, ThirdLevel) {
  ScenarioError e = load_error(kFixtures + "unknown_key.json");
  EXPECT_EQ(e.key(), "subscribers.processing.thread");
  EXPECT_NE(std::string(e.what()).find("unknown key \"subscribers.processing.thread\" (allowed: "
                                       "kind, device, batch, linger_ms, threads, window_ms)"),
            std::string::npos)
      << e.what();
  ScenarioError b = parse_error(R"({"broker": {"embedded": {"broker": 2}}})");
  EXPECT_EQ(b.key(), "broker.embedded.broker");
}

TEST(ScenarioUnknownKey, ObjectGivenAsValue) {
  ScenarioError e = parse_error(R"({"publisher": 5})");
  EXPECT_EQ(e.key(), "publisher");
  EXPECT_STREQ(e.what(), "t.json: publisher: must be an object (got 5)");
}

// ---- types and ranges ----

TEST(ScenarioValues, WrongTypeNamesKeyAndValue) {
  ScenarioError e = parse_error(R"({"publisher": {"rate": "fast"}})");
  EXPECT_EQ(e.key(), "publisher.rate");
  EXPECT_STREQ(e.what(), R"(t.json: publisher.rate: must be a number >= 0 (got "fast"))");

  EXPECT_STREQ(parse_error(R"({"topic": {"reuse": "yes"}})").what(),
               R"(t.json: topic.reuse: must be true or false (got "yes"))");
  EXPECT_STREQ(
      parse_error(R"({"subscribers": {"groups": "all"}})").what(),
      R"(t.json: subscribers.groups: must be one of "per-client", "shared", "none" (got "all"))");
  EXPECT_EQ(parse_error(R"({"topic": {"name": 7}})").key(), "topic.name");
  EXPECT_EQ(parse_error(R"({"publisher": {"kafka": {"acks": [1]}}})").key(), "publisher.kafka");
  EXPECT_EQ(parse_error(R"({"subscribers": {"kafka": "x"}})").key(), "subscribers.kafka");
}

TEST(ScenarioValues, OutOfRange) {
  struct Case {
    const char* text;
    const char* key;
  };
  const Case cases[] = {
      {R"({"broker": {"embedded": {"brokers": 0}}})", "broker.embedded.brokers"},
      {R"({"broker": {"embedded": {"brokers": 17}}})", "broker.embedded.brokers"},
      {R"({"topic": {"partitions": 0}})", "topic.partitions"},
      {R"({"topic": {"partitions": 1025}})", "topic.partitions"},
      {R"({"topic": {"replication": 0}})", "topic.replication"},
      {R"({"duration_s": 0})", "duration_s"},
      {R"({"warmup_s": -1})", "warmup_s"},
      {R"({"drain_timeout_s": 0})", "drain_timeout_s"},
      {R"({"control_timeout_s": -2})", "control_timeout_s"},
      {R"({"repeats": 0})", "repeats"},
      {R"({"publisher": {"rate": -1}})", "publisher.rate"},
      {R"({"publisher": {"message_size": 999901}})", "publisher.message_size"},
      {R"({"publisher": {"msg_batch": 0}})", "publisher.msg_batch"},
      {R"({"publisher": {"linger_ms": -0.1}})", "publisher.linger_ms"},
      {R"({"publisher": {"payload": "zeros"}})", "publisher.payload"},
      {R"({"publisher": {"keys": -1}})", "publisher.keys.count"},
      {R"({"publisher": {"keys": {"count": 4, "distribution": "pareto"}}})",
       "publisher.keys.distribution"},
      {R"({"publisher": {"keys": {"count": 4, "hot_fraction": 1.5}}})",
       "publisher.keys.hot_fraction"},
      {R"({"publisher": {"encoding": "xml"}})", "publisher.encoding"},
      {R"({"subscribers": {"slow": {"fraction": 2}}})", "subscribers.slow.fraction"},
      {R"({"subscribers": {"clients": -1}})", "subscribers.clients"},
      {R"({"subscribers": {"clients_per_agent": 0}})", "subscribers.clients_per_agent"},
      {R"({"subscribers": {"processing": {"kind": "fft"}}})", "subscribers.processing.kind"},
      {R"({"subscribers": {"processing": {"device": "tpu"}}})", "subscribers.processing.device"},
      {R"({"subscribers": {"processing": {"batch": 0}}})", "subscribers.processing.batch"},
      {R"({"subscribers": {"processing": {"batch": 1048577}}})", "subscribers.processing.batch"},
      {R"({"subscribers": {"processing": {"linger_ms": -1}}})", "subscribers.processing.linger_ms"},
      {R"({"subscribers": {"processing": {"threads": -1}}})", "subscribers.processing.threads"},
      {R"({"subscribers": {"processing": {"threads": 1025}}})", "subscribers.processing.threads"},
      {R"({"subscribers": {"clients_per_agent": 10001}})", "subscribers.clients_per_agent"},
      {R"({"subscribers": {"processing": {"window_ms": 0}}})", "subscribers.processing.window_ms"},
      {R"({"name": ""})", "name"},
      {R"({"name": "a/b"})", "name"},
      {R"({"name": ".."})", "name"},
      {R"({"topic": {"name": "has space"}})", "topic.name"},
      {R"({"broker": {"bootstrap": ""}})", "broker.bootstrap"},
      {R"({"broker": {"bootstrap": "kafka"}})", "broker.bootstrap"},
      {R"({"broker": {"bootstrap": "kafka:port"}})", "broker.bootstrap"},
      {R"({"broker": {"bootstrap": "a:9092,"}})", "broker.bootstrap"},
      {R"({"broker": {"bootstrap": "a:70000"}})", "broker.bootstrap"},
  };
  for (const auto& c : cases) {
    ScenarioError e = parse_error(c.text);
    EXPECT_EQ(e.key(), c.key) << c.text << " -> " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(std::string("t.json: ") + c.key + ": must be", 0), 0u)
        << e.what();
  }
}

TEST(ScenarioValues, RangeMessagesSayWhatIsAllowed) {
  EXPECT_STREQ(parse_error(R"({"broker": {"embedded": {"brokers": 20}}})").what(),
               "t.json: broker.embedded.brokers: must be an integer in 1..16 (got 20)");
  EXPECT_STREQ(parse_error(R"({"duration_s": 0})").what(),
               "t.json: duration_s: must be a number > 0 (got 0)");
  EXPECT_STREQ(parse_error(R"({"repeats": 0})").what(),
               "t.json: repeats: must be an integer >= 1 (got 0)");
}

TEST(ScenarioValues, MessageSizeBelowHeaderSize) {
  ScenarioError e = parse_error(R"({"publisher": {"message_size": 39}})");
  EXPECT_EQ(e.key(), "publisher.message_size");
  EXPECT_STREQ(e.what(),
               "t.json: publisher.message_size: must be an integer in 40..999900; the message "
               "header alone is 40 bytes; librdkafka refuses a larger record under its default "
               "message.max.bytes of 1000000 (got 39)");
  EXPECT_EQ(parse(R"({"publisher": {"message_size": 40}})").publisher.message_size, 40);
  EXPECT_EQ(parse(R"({"publisher": {"message_size": 999900}})").publisher.message_size, 999900);
}

// The README documents threads 0 as "all cores"; the parser takes it, and
// the agent's processing stage reads 0 that way.
TEST(ScenarioValues, ProcessingThreadsZeroMeansAllCores) {
  EXPECT_EQ(
      parse(R"({"subscribers": {"processing": {"threads": 0}}})").subscribers.processing.threads,
      0);
  EXPECT_EQ(
      parse(R"({"subscribers": {"processing": {"threads": 1024}}})").subscribers.processing.threads,
      1024);
}

// ---- impossible combinations ----

TEST(ScenarioCombinations, ReplicationMoreThanEmbeddedBrokers) {
  ScenarioError e = load_error(kFixtures + "replication_too_high.json");
  EXPECT_EQ(e.key(), "topic.replication");
  EXPECT_EQ(e.reason(), "3 is more than broker.embedded.brokers (1)");
  EXPECT_EQ(std::string(e.what()),
            kFixtures +
                "replication_too_high.json: topic.replication: 3 is more than "
                "broker.embedded.brokers (1)");
  // Fine with enough brokers, and on a real cluster (which the controller cannot count).
  EXPECT_EQ(parse(R"({"broker": {"embedded": {"brokers": 3}}, "topic": {"replication": 3}})")
                .topic.replication,
            3);
  EXPECT_EQ(parse(R"({"broker": {"bootstrap": "k:9092"}, "topic": {"replication": 3}})")
                .topic.replication,
            3);
}

TEST(ScenarioCombinations, BothBrokerKinds) {
  ScenarioError e = load_error(kFixtures + "both_brokers.json");
  EXPECT_EQ(e.key(), "broker");
  EXPECT_NE(
      std::string(e.what()).find("broker: give broker.embedded or broker.bootstrap, not both"),
      std::string::npos)
      << e.what();
}

TEST(ScenarioCombinations, SensorPayloadNeedsRoomForTheRecord) {
  ScenarioError e = parse_error(R"({"publisher": {"payload": "sensor", "message_size": 100}})");
  EXPECT_EQ(e.key(), "publisher.message_size");
  EXPECT_NE(e.reason().find("needs >= 104"), std::string::npos) << e.what();
  EXPECT_EQ(parse(R"({"publisher": {"payload": "sensor", "message_size": 104}})").publisher.payload,
            "sensor");
}

TEST(ScenarioCombinations, ProcessingNeedsSensorPayload) {
  ScenarioError e = load_error(kFixtures + "processing_needs_sensor.json");
  EXPECT_EQ(e.key(), "subscribers.processing.kind");
  EXPECT_EQ(e.reason(), R"("zscore" needs publisher.payload "sensor" (got "random"))");
  Scenario ok = parse(R"({"publisher": {"payload": "sensor", "message_size": 200},
                          "subscribers": {"processing": {"kind": "mlp", "device": "gpu"}}})");
  EXPECT_EQ(ok.subscribers.processing.kind, "mlp");
  EXPECT_EQ(ok.subscribers.processing.device, "gpu");
}

TEST(ScenarioCombinations, ReuseNeedsARealCluster) {
  EXPECT_EQ(parse_error(R"({"topic": {"reuse": true}})").key(), "topic.reuse");
}

// ---- sweep keys and values ----

TEST(ScenarioSweep, AxesKeepFileOrder) {
  Scenario s = parse(R"({"sweep": {"publisher.rate": [1, 2], "subscribers.clients": [3],
                                   "publisher.kafka.batch.size": [1000, "2000"]}})");
  ASSERT_EQ(s.sweep.size(), 3u);
  EXPECT_EQ(s.sweep[0].key, "publisher.rate");
  EXPECT_EQ(s.sweep[1].key, "subscribers.clients");
  EXPECT_EQ(s.sweep[2].key, "publisher.kafka.batch.size");
  EXPECT_EQ(s.sweep[2].values, (std::vector<json>{"1000", "2000"}));
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.resolved["sweep"].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"publisher.rate", "subscribers.clients",
                                            "publisher.kafka.batch.size"}));
}

TEST(ScenarioSweep, ValuesAreNormalizedByTheKeysRule) {
  Scenario s = parse(R"({"sweep": {"publisher.acks": [0, -1, "1"]}})");
  EXPECT_EQ(s.sweep[0].values, (std::vector<json>{"0", "all", "1"}));
}

TEST(ScenarioSweep, BadValueIsReportedWithItsIndex) {
  ScenarioError e = load_error(kFixtures + "bad_sweep_value.json");
  EXPECT_EQ(e.key(), "publisher.rate");
  EXPECT_EQ(e.label(), "sweep publisher.rate[2]");
  EXPECT_EQ(std::string(e.what()), kFixtures +
                                       "bad_sweep_value.json: sweep publisher.rate[2]: "
                                       "must be a number >= 0 (got \"fast\")");
}

TEST(ScenarioSweep, BadKeysAreRejected) {
  EXPECT_EQ(parse_error(R"({"sweep": {"name": ["a", "b"]}})").key(), "name");
  EXPECT_EQ(parse_error(R"({"sweep": {"sweep": [1]}})").key(), "sweep");
  ScenarioError typo = parse_error(R"({"sweep": {"publisher.rat": [1]}})");
  EXPECT_EQ(typo.key(), "publisher.rat");
  EXPECT_NE(typo.reason().find("unknown key \"publisher.rat\" (allowed: rate, message_size"),
            std::string::npos)
      << typo.what();
  ScenarioError object = parse_error(R"({"sweep": {"publisher": [{}]}})");
  EXPECT_NE(object.reason().find("is an object"), std::string::npos) << object.what();
  ScenarioError below_value = parse_error(R"({"sweep": {"publisher.rate.x": [1]}})");
  EXPECT_NE(below_value.reason().find("publisher.rate is a value"), std::string::npos)
      << below_value.what();
}

TEST(ScenarioSweep, ValuesMustBeANonEmptyArray) {
  EXPECT_STREQ(parse_error(R"({"sweep": {"publisher.rate": []}})").what(),
               "t.json: sweep publisher.rate: must be a non-empty array of values (got [])");
  EXPECT_EQ(parse_error(R"({"sweep": {"publisher.rate": 5}})").key(), "publisher.rate");
  EXPECT_EQ(parse_error(R"({"sweep": [1]})").key(), "sweep");
}

TEST(ScenarioSweep, CombinationWithASweptKeyIsLeftToTheSteps) {
  // Base replication 3 > 1 broker, but brokers is swept: each step is checked later.
  Scenario s = parse(R"({"topic": {"replication": 3},
                         "sweep": {"broker.embedded.brokers": [3, 5]}})");
  EXPECT_EQ(s.sweep.size(), 1u);
}

// ---- --set ----

TEST(ApplySet, PlainAndNestedKeys) {
  json doc = load_scenario_json(R"({"publisher": {"rate": 100}})", "t.json");
  apply_set(doc, "publisher.rate=500");
  apply_set(doc, "duration_s=2.5");
  apply_set(doc, "topic.reuse=true");
  apply_set(doc, "subscribers.processing.kind=zscore");
  EXPECT_EQ(doc["publisher"]["rate"], 500);
  EXPECT_EQ(doc["duration_s"], 2.5);
  EXPECT_EQ(doc["topic"]["reuse"], true);
  EXPECT_EQ(doc["subscribers"]["processing"]["kind"], "zscore");
}

TEST(ApplySet, CreatesNewObjectsAndKeepsStringsAsText) {
  json doc = json::object();
  apply_set(doc, "name=123");  // name takes a string: the text, not the number
  apply_set(doc, "broker.bootstrap=k1:9092,k2:9092");
  apply_set(doc, "publisher.kafka.compression.type=lz4");
  apply_set(doc, "publisher.kafka.batch.size=65536");
  apply_set(doc, "subscribers.kafka={\"fetch.min.bytes\": 1}");
  apply_set(doc, "publisher.payload=");
  EXPECT_EQ(doc["name"], "123");
  EXPECT_EQ(doc["broker"]["bootstrap"], "k1:9092,k2:9092");
  EXPECT_EQ(doc["publisher"]["kafka"]["compression.type"], "lz4");
  EXPECT_EQ(doc["publisher"]["kafka"]["batch.size"], 65536);
  EXPECT_EQ(doc["subscribers"]["kafka"]["fetch.min.bytes"], 1);
  EXPECT_EQ(doc["publisher"]["payload"], "");
}

TEST(ApplySet, ArraysAndSweepEntries) {
  json doc = json::object();
  apply_set(doc, "sweep.publisher.rate=[100, 200]");
  EXPECT_EQ(doc["sweep"]["publisher.rate"], json::parse("[100, 200]"));
  Scenario s = parse_scenario(doc, "t");
  ASSERT_EQ(s.sweep.size(), 1u);
  EXPECT_EQ(s.sweep[0].values.size(), 2u);
}

TEST(ApplySet, SettingASweptKeyPinsIt) {
  json doc = load_scenario_json(
      R"({"sweep": {"subscribers.clients": [1, 2], "publisher.rate": [100, 200, 300]}})", "t");
  apply_set(doc, "publisher.rate=500");
  Scenario s = parse_scenario(doc, "t");
  ASSERT_EQ(s.sweep.size(), 1u);
  EXPECT_EQ(s.sweep[0].key, "subscribers.clients");
  EXPECT_DOUBLE_EQ(s.publisher.rate, 500);
}

TEST(ApplySet, BrokerKindSwitches) {
  json doc = load_scenario_json(R"({"broker": {"embedded": {"brokers": 3}},
                                    "sweep": {"broker.embedded.brokers": [1, 3]}})",
                                "t");
  apply_set(doc, "broker.bootstrap=kafka:9092");
  Scenario s = parse_scenario(doc, "t");
  EXPECT_FALSE(s.broker.embedded());
  EXPECT_EQ(s.broker.bootstrap, "kafka:9092");
  EXPECT_TRUE(s.sweep.empty());  // the embedded broker's swept count went with it
  apply_set(doc, "broker.embedded.brokers=2");
  Scenario back = parse_scenario(doc, "t");
  EXPECT_TRUE(back.broker.embedded());
  EXPECT_EQ(back.broker.embedded_brokers, 2);
}

TEST(ApplySet, MalformedAssignments) {
  json doc = json::object();
  try {
    apply_set(doc, "publisher.rate");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(), "--set publisher.rate: expected KEY=VALUE");
  }
  EXPECT_THROW(apply_set(doc, "=5"), ScenarioError);
  EXPECT_THROW(apply_set(doc, "publisher..rate=5"), ScenarioError);
  doc["name"] = "x";
  try {
    apply_set(doc, "name.first=5");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.key(), "name.first");
    EXPECT_NE(std::string(e.what()).find("name is a value, not an object"), std::string::npos)
        << e.what();
  }
}

TEST(SplitKey, KafkaPropertiesAndSweepKeysStayWhole) {
  EXPECT_EQ(split_key("a.b.c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_key("publisher.kafka.queue.buffering.max.ms"),
            (std::vector<std::string>{"publisher", "kafka", "queue.buffering.max.ms"}));
  EXPECT_EQ(split_key("subscribers.kafka.fetch.min.bytes"),
            (std::vector<std::string>{"subscribers", "kafka", "fetch.min.bytes"}));
  EXPECT_EQ(split_key("sweep.publisher.rate"),
            (std::vector<std::string>{"sweep", "publisher.rate"}));
}

// ---- load_scenario ----

TEST(LoadScenario, MissingFile) {
  ScenarioError e = load_error("/nonexistent/dir/nope.json");
  EXPECT_EQ(e.source(), "/nonexistent/dir/nope.json");
  EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos) << e.what();
}

TEST(LoadScenario, AppliesSetsInOrder) {
  Scenario s = load_scenario(std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json",
                             {"publisher.rate=700", "duration_s=1", "duration_s=3"});
  EXPECT_DOUBLE_EQ(s.publisher.rate, 700);
  EXPECT_DOUBLE_EQ(s.duration_s, 3);
  for (const auto& axis : s.sweep) EXPECT_NE(axis.key, "publisher.rate");
}

TEST(LoadScenario, BadSetValueBlamesTheSet) {
  const std::string path = std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json";
  ScenarioError e = load_error(path, {"publisher.rate=fast"});
  EXPECT_EQ(e.key(), "publisher.rate");
  EXPECT_EQ(std::string(e.what()),
            path +
                " with --set publisher.rate=fast: publisher.rate: must be a number >= 0 "
                "(got \"fast\")");
  ScenarioError unknown = load_error(path, {"publisher.rat=5"});
  EXPECT_EQ(unknown.key(), "publisher.rat");
  EXPECT_EQ(unknown.source(), path + " with --set publisher.rat=5");
}

}  // namespace
}  // namespace hydra
