#include "harness/preflight.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <set>
#include <stdexcept>

#include "agents/kafka/kafka_admin.h"
#include "agents/kafka/kafka_config.h"

namespace hydra {
namespace {

// "" when librdkafka accepts every property; else "<prefix>.kafka.<name>: why".
std::string check_props(const std::string& prefix,
                        const std::map<std::string, std::string>& props) {
  try {
    rd_kafka_conf_destroy(make_kafka_conf({}, props));
  } catch (const std::invalid_argument& e) {
    return prefix + "." + e.what();  // make_kafka_conf names it "kafka.<name>: ..."
  }
  return "";
}

// "" when a client can be made with the cluster's properties (no brokers:
// nothing connects); else "broker.kafka: why".
std::string check_cluster_client(const std::map<std::string, std::string>& props) {
  rd_kafka_conf_t* conf = nullptr;
  try {
    conf = make_kafka_conf({{"log_level", "0"}}, props);
  } catch (const std::invalid_argument& e) {
    return std::string("broker.") + e.what();
  }
  char err[512] = "";
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return std::string("broker.kafka: librdkafka cannot make a client with these properties: ") +
           err;
  }
  rd_kafka_destroy(rk);
  return "";
}

}  // namespace

std::map<std::string, std::string> broker_check_properties(const Scenario& sc) {
  std::map<std::string, std::string> props = sc.broker.kafka;
  for (const auto& [k, v] : sc.publisher.kafka) props[k] = v;
  return props;
}

std::string check_client_properties(const std::vector<Step>& steps) {
  // Sweeps repeat the same maps: each distinct one is checked once.
  std::set<std::map<std::string, std::string>> broker_seen, pub_seen, sub_seen;
  for (const Step& step : steps) {
    const Scenario& sc = step.scenario;
    if (broker_seen.insert(sc.broker.kafka).second)
      if (auto e = check_cluster_client(sc.broker.kafka); !e.empty()) return e;
    if (pub_seen.insert(sc.publisher.kafka).second)
      if (auto e = check_props("publisher", sc.publisher.kafka); !e.empty()) return e;
    if (sub_seen.insert(sc.subscribers.kafka).second)
      if (auto e = check_props("subscribers", sc.subscribers.kafka); !e.empty()) return e;
  }
  return "";
}

std::string check_brokers(const std::string& bootstrap,
                          const std::map<std::string, std::string>& props, int timeout_ms) {
  rd_kafka_conf_t* conf = nullptr;
  try {
    // Quiet: a broker that does not answer is reported once, below.
    std::map<std::string, std::string> quiet = props;
    quiet.emplace("log_level", "0");
    conf = make_admin_conf(bootstrap, quiet);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return std::string("cannot make a client: ") + err;
  }
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, nullptr, &md, timeout_ms);
  std::string why;
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    why = "no broker of " + bootstrap + " answered within " +
          std::to_string(timeout_ms / 1000.0).substr(0, 3) + " s (" + rd_kafka_err2str(e) + ")";
  } else {
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_destroy(rk);
  return why;
}

}  // namespace hydra
