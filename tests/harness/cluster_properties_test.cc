// broker.kafka (a real cluster's client properties: security.protocol,
// sasl.*, ssl.*) reaches every client Hydra makes: the controller's admin and
// broker check (agents/kafka/kafka_admin.h: make_admin_conf), the producers
// and the consumers (harness/wire_config.h, agents/kafka/kafka_factories.h).
// Checked on the librdkafka configurations themselves, not on the JSON; and a
// bad property is refused by the checks made before the first step
// (harness/preflight.h).
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

#include "agents/kafka/kafka_admin.h"
#include "agents/kafka/kafka_factories.h"
#include "harness/preflight.h"
#include "harness/scenario.h"
#include "harness/sweep.h"
#include "harness/wire_config.h"

namespace hydra {
namespace {

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "t.json"), "t.json");
}

const char* kSecured = R"({
  "broker": {"bootstrap": "kafka-1:9093",
             "kafka": {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
                       "sasl.username": "alice", "sasl.password": "hunter2"}},
  "subscribers": {"kafka": {"sasl.username": "bob"}}
})";

std::string conf_value(rd_kafka_conf_t* conf, const char* name) {
  char buf[512];
  size_t n = sizeof buf;
  if (rd_kafka_conf_get(conf, name, buf, &n) != RD_KAFKA_CONF_OK) return "<unknown>";
  return buf;
}

TEST(ClusterProperties, ScenarioKeyParsesLikeTheRolesKafkaMaps) {
  const Scenario sc = parse(kSecured);
  EXPECT_EQ(sc.broker.kafka.at("security.protocol"), "SASL_PLAINTEXT");
  EXPECT_EQ(sc.broker.kafka.at("sasl.password"), "hunter2");
  // Numbers and booleans become strings, as under publisher.kafka.
  const Scenario n = parse(R"({"broker": {"kafka": {"socket.timeout.ms": 5000}}})");
  EXPECT_EQ(n.broker.kafka.at("socket.timeout.ms"), "5000");
  EXPECT_THROW(parse(R"({"broker": {"kafka": {"sasl.password": [1]}}})"), ScenarioError);
  // A --set reaches one property, the dots of its name kept.
  nlohmann::ordered_json doc = load_scenario_json("{}", "t.json");
  apply_set(doc, "broker.kafka.ssl.ca.location=/etc/ca.pem");
  EXPECT_EQ(parse_scenario(doc, "t.json").broker.kafka.at("ssl.ca.location"), "/etc/ca.pem");
}

TEST(ClusterProperties, AdminClientConfigurationCarriesThem) {
  const Scenario sc = parse(kSecured);
  rd_kafka_conf_t* conf = make_admin_conf(sc.broker.bootstrap, broker_check_properties(sc));
  EXPECT_EQ(conf_value(conf, "security.protocol"), "sasl_plaintext");
  EXPECT_EQ(conf_value(conf, "sasl.mechanisms"), "PLAIN");
  EXPECT_EQ(conf_value(conf, "sasl.username"), "alice");
  EXPECT_EQ(conf_value(conf, "sasl.password"), "hunter2");
  EXPECT_EQ(conf_value(conf, "bootstrap.servers"), "kafka-1:9093");
  EXPECT_EQ(conf_value(conf, "allow.auto.create.topics"), "false");
  rd_kafka_conf_destroy(conf);
}

TEST(ClusterProperties, ProducerAndConsumerConfigurationsCarryThem) {
  const Scenario sc = parse(kSecured);
  const WireTarget target{"kafka-1:9093", "t", 1, "g"};
  const KafkaPropMap p = effective_producer_properties(publisher_wire_config(sc, target));
  EXPECT_EQ(p.at("security.protocol"), "sasl_plaintext");
  EXPECT_EQ(p.at("sasl.mechanisms"), "PLAIN");
  EXPECT_EQ(p.at("sasl.username"), "alice");
  EXPECT_EQ(p.at("sasl.password"), "hunter2");
  const KafkaPropMap c = effective_consumer_properties(subscriber_wire_config(sc, target, 0, 1), 0);
  EXPECT_EQ(c.at("security.protocol"), "sasl_plaintext");
  EXPECT_EQ(c.at("sasl.password"), "hunter2");
  // The role's own map wins over the cluster's.
  EXPECT_EQ(c.at("sasl.username"), "bob");
}

TEST(ClusterProperties, BadSecurityPropertyIsRefusedBeforeTheFirstStep) {
  // A value librdkafka refuses outright, named by its scenario key.
  const auto bad_value =
      expand_steps(parse(R"({"broker": {"kafka": {"security.protocol": "sasl_tls"}}})"));
  const std::string e1 = check_client_properties(bad_value);
  EXPECT_EQ(e1.rfind("broker.kafka.security.protocol: ", 0), 0u) << e1;
  // Accepted one by one, refused when a client is made: a certificate file
  // that is not there.
  const auto missing_file = expand_steps(parse(
      R"({"broker": {"kafka": {"security.protocol": "ssl",
                                "ssl.ca.location": "/nonexistent/hydra-ca.pem"}}})"));
  const std::string e2 = check_client_properties(missing_file);
  EXPECT_EQ(e2.rfind("broker.kafka: ", 0), 0u) << e2;
  EXPECT_NE(e2.find("ssl.ca.location"), std::string::npos) << e2;
  // A sound cluster configuration passes.
  EXPECT_EQ(check_client_properties(expand_steps(parse(kSecured))), "");
}

}  // namespace
}  // namespace hydra
