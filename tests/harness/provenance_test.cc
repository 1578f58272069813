// run.json's provenance (harness/provenance.h): versions, host, command line
// with secrets masked, and each role's effective librdkafka configuration
// (agents/kafka/kafka_factories.h: only what differs from the defaults).
#include "harness/provenance.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agents/kafka/kafka_factories.h"
#include "common/version.h"

namespace hydra {
namespace {

TEST(ReportProvenance, SecretsAreRecognisedAndMaskedOnTheCommandLine) {
  EXPECT_TRUE(is_secret_key("sasl.password"));
  EXPECT_TRUE(is_secret_key("ssl.key.password"));
  EXPECT_TRUE(is_secret_key("sasl.oauthbearer.client.secret"));
  EXPECT_TRUE(is_secret_key("publisher.kafka.SASL.PASSWORD"));
  EXPECT_FALSE(is_secret_key("sasl.username"));
  EXPECT_FALSE(is_secret_key("linger.ms"));
  EXPECT_EQ(masked_command_line("/usr/bin/hydra", "run",
                                {"s.json", "--set", "publisher.kafka.sasl.password=hunter2",
                                 "--set=subscribers.kafka.ssl.key.password=x y", "--set",
                                 "publisher.rate=500", "--out", "a dir"}),
            "/usr/bin/hydra run s.json --set 'publisher.kafka.sasl.password=***' "
            "'--set=subscribers.kafka.ssl.key.password=***' --set publisher.rate=500 --out "
            "'a dir'");
  EXPECT_EQ(masked_command_line("hydra", "run", {"it's"}), "hydra run 'it'\\''s'");
}

Scenario scenario() {
  Scenario sc;
  sc.publisher.acks = "0";
  sc.publisher.linger_ms = 20;
  sc.publisher.kafka = {{"batch.size", "65536"}, {"sasl.password", "hunter2"}};
  sc.subscribers.clients = 4;
  sc.subscribers.clients_per_agent = 2;
  sc.subscribers.kafka = {{"fetch.min.bytes", "1024"}};
  return sc;
}

WireTarget target() {
  return {"127.0.0.1:9092", "t", 7, "hydra-x"};
}

TEST(ReportProvenance, EffectiveConfigurationIsWhatDiffersFromTheDefaults) {
  const Scenario sc = scenario();
  const KafkaPropMap p = effective_producer_properties(publisher_wire_config(sc, target()));
  EXPECT_EQ(p.at("metadata.broker.list"), "127.0.0.1:9092");  // bootstrap.servers' alias
  // Under librdkafka's canonical names: acks and linger.ms are aliases.
  EXPECT_EQ(p.at("request.required.acks"), "0");
  EXPECT_EQ(p.at("queue.buffering.max.ms"), "20");
  EXPECT_EQ(p.at("batch.size"), "65536");
  EXPECT_EQ(p.at("sasl.password"), "hunter2");  // masked later, by the provenance
  EXPECT_EQ(p.at("client.id"), "hydra-pub-7");  // names it in its log lines
  for (const auto& [k, v] : p) EXPECT_NE(v.rfind("0x", 0), 0u) << k << " is a pointer";

  const KafkaPropMap c =
      effective_consumer_properties(subscriber_wire_config(sc, target(), 0, 2), 1);
  EXPECT_EQ(c.at("group.id"), "hydra-x-c1");
  EXPECT_EQ(c.at("client.id"), "hydra-sub-1");
  EXPECT_EQ(c.at("fetch.min.bytes"), "1024");
  EXPECT_EQ(c.count("queue.buffering.max.ms"), 0u);
  // librdkafka's fetch wait against a broker that wakes waiting fetches; 10 ms
  // against the mock cluster, which does not, unless the user set it.
  EXPECT_EQ(c.count("fetch.wait.max.ms"), 0u);
  Scenario mock = sc;
  mock.broker.embedded_kind = "mock";
  EXPECT_EQ(effective_consumer_properties(subscriber_wire_config(mock, target(), 0, 2), 1)
                .at("fetch.wait.max.ms"),
            "10");
  mock.subscribers.kafka["fetch.wait.max.ms"] = "50";
  EXPECT_EQ(effective_consumer_properties(subscriber_wire_config(mock, target(), 0, 2), 1)
                .at("fetch.wait.max.ms"),
            "50");

  // librdkafka's verdict on a bad property names it.
  Scenario bad = sc;
  bad.publisher.kafka = {{"no.such.property", "1"}};
  EXPECT_THROW(effective_producer_properties(publisher_wire_config(bad, target())),
               std::invalid_argument);
}

TEST(ReportProvenance, RunJsonRecordsVersionsHostTimesAndMaskedConfig) {
  Provenance p("smoke", "hydra run s.json");
  const Scenario sc = scenario();
  p.record_step(0, sc, target());
  p.record_step(0, sc, target());  // a repeat adds nothing
  Scenario bad = sc;
  bad.publisher.kafka = {{"no.such.property", "1"}};
  p.record_step(1, bad, target());
  auto j = p.to_json();
  EXPECT_TRUE(j.at("end").is_null());  // still running
  p.finish(/*interrupted=*/false);
  const auto path = std::filesystem::temp_directory_path() /
                    ("hydra-provenance-" + std::to_string(::getpid()) + ".json");
  ASSERT_EQ(p.write(path.string()), "");
  std::ifstream in(path);
  j = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  EXPECT_EQ(j.at("scenario"), "smoke");
  EXPECT_EQ(j.at("hydra").at("version"), hydra_version());
  EXPECT_EQ(j.at("hydra").at("git_commit"), git_commit());
  EXPECT_EQ(j.at("librdkafka").at("version"), rd_kafka_version_str());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(j.at("host").at("name"), host);
  EXPECT_GT(j.at("host").at("cores").get<int>(), 0);
  EXPECT_GT(j.at("host").at("memory_bytes").get<uint64_t>(), 0u);
  EXPECT_EQ(j.at("host").at("kernel").get<std::string>().rfind("Linux ", 0), 0u);
  EXPECT_EQ(j.at("command_line"), "hydra run s.json");
  const std::string start = j.at("start"), end = j.at("end");
  EXPECT_EQ(start.size(), 24u) << start;  // 2026-12-02T15:29:03.374Z
  EXPECT_EQ(start.back(), 'Z');
  EXPECT_LE(start, end);
  ASSERT_EQ(j.at("client_config").size(), 2u);
  const auto& step0 = j.at("client_config").at(0);
  EXPECT_EQ(step0.at("publisher").at("sasl.password"), kMaskedSecret);
  EXPECT_EQ(step0.at("publisher").at("batch.size"), "65536");
  EXPECT_EQ(step0.at("subscriber").at("group.id"), "hydra-x-c0");
  EXPECT_EQ(j.dump().find("hunter2"), std::string::npos);
  const std::string error = j.at("client_config").at(1).at("publisher").at("error");
  EXPECT_NE(error.find("no.such.property"), std::string::npos) << error;
}

// scenario.json and the report: every value under a secret's key masked, at
// any depth, swept values included; nothing else touched.
TEST(ReportProvenance, MaskedSecretsHidesEverySecretValueAndNothingElse) {
  const auto doc = nlohmann::ordered_json::parse(R"({
    "broker": {"bootstrap": "b:9093", "kafka": {"security.protocol": "sasl_ssl",
               "sasl.username": "alice", "sasl.password": "hunter2",
               "ssl.keystore.password": "ks-pass", "ssl.key.password": 7}},
    "publisher": {"kafka": {"sasl.oauthbearer.client.secret": "s3", "linger.ms": "5"}},
    "sweep": {"broker.kafka.sasl.password": ["p1", "p2"], "publisher.rate": [1, 2]}
  })");
  const auto m = masked_secrets(doc);
  EXPECT_EQ(m["broker"]["kafka"]["sasl.password"], "***");
  EXPECT_EQ(m["broker"]["kafka"]["ssl.keystore.password"], "***");
  EXPECT_EQ(m["broker"]["kafka"]["ssl.key.password"], "***");
  EXPECT_EQ(m["publisher"]["kafka"]["sasl.oauthbearer.client.secret"], "***");
  EXPECT_EQ(m["sweep"]["broker.kafka.sasl.password"], nlohmann::ordered_json({"***", "***"}));
  EXPECT_EQ(m["broker"]["kafka"]["sasl.username"], "alice");
  EXPECT_EQ(m["broker"]["kafka"]["security.protocol"], "sasl_ssl");
  EXPECT_EQ(m["publisher"]["kafka"]["linger.ms"], "5");
  EXPECT_EQ(m["sweep"]["publisher.rate"], nlohmann::ordered_json({1, 2}));
  for (const char* secret : {"hunter2", "ks-pass", "s3", "p1", "p2"})
    EXPECT_EQ(m.dump().find(secret), std::string::npos) << secret;
}

}  // namespace
}  // namespace hydra
