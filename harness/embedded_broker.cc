#include "harness/embedded_broker.h"

#include <stdexcept>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "agents/kafka/kafka_log.h"
#include "broker/broker.h"
#include "broker/handlers.h"

namespace hydra {

EmbeddedBroker::Kind EmbeddedBroker::parse_kind(const std::string& s) {
  if (s == "hydra") return Kind::kHydra;
  if (s == "mock") return Kind::kMock;
  throw std::invalid_argument("broker kind must be 'hydra' or 'mock', got '" + s + "'");
}

const char* EmbeddedBroker::kind_name(Kind k) {
  return k == Kind::kHydra ? "hydra" : "mock";
}

EmbeddedBroker::EmbeddedBroker(int brokers, Kind kind, const std::string& listen)
    : brokers_(brokers), kind_(kind), listen_(listen) {
  if (brokers < 1 || brokers > 16)
    throw std::invalid_argument("brokers: must be 1..16 (got " + std::to_string(brokers) + ")");
  if (kind == Kind::kMock && listen != "127.0.0.1" && listen != "localhost")
    throw std::invalid_argument(
        "broker.embedded.listen: the mock kind listens on 127.0.0.1 only "
        "(got " +
        listen + "); use kind \"hydra\" for other hosts' agents");
  if (kind == Kind::kHydra) {
    broker::Options o;
    o.brokers = brokers;
    o.host = listen;
    cluster_ = std::make_unique<broker::Cluster>(o);
    bootstrap_ = cluster_->bootstrap();
    return;
  }
  // The mock cluster needs a client instance for its bookkeeping; this one
  // never connects anywhere.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  set_kafka_log_callback(conf);  // into the controller's client log, not stderr
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("embedded broker: cannot create client: ") + err);
  }
  mock_ = rd_kafka_mock_cluster_new(rk_, brokers);
  if (!mock_) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error("embedded broker: librdkafka could not start the mock cluster");
  }
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(mock_);
}

EmbeddedBroker::~EmbeddedBroker() {
  cluster_.reset();
  if (mock_) rd_kafka_mock_cluster_destroy(mock_);
  if (rk_) rd_kafka_destroy(rk_);
}

void EmbeddedBroker::create_topic(const std::string& name, int partitions, int replication,
                                  const std::map<std::string, std::string>& config) {
  if (name.empty()) throw std::invalid_argument("topic name must not be empty");
  if (partitions < 1) throw std::invalid_argument("partitions: must be >= 1");
  if (replication < 1 || replication > brokers_)
    throw std::invalid_argument("replication: must be 1.." + std::to_string(brokers_) +
                                " (the embedded broker has " + std::to_string(brokers_) +
                                " brokers), got " + std::to_string(replication));
  if (cluster_) {
    broker::TopicConfig tc;
    for (const auto& [key, value] : config) {
      const std::string why = broker::apply_topic_config(tc, key, value);
      if (!why.empty()) throw std::invalid_argument("topic.config." + key + ": " + why);
    }
    try {
      cluster_->create_topic(name, partitions, replication, tc);
    } catch (const std::invalid_argument& e) {
      throw;
    } catch (const std::exception& e) {
      throw std::runtime_error("embedded broker: cannot create topic " + name + ": " + e.what());
    }
    return;
  }
  if (!config.empty())
    throw std::invalid_argument(
        "topic.config: the embedded \"mock\" broker takes no topic "
        "configuration (use broker.embedded.kind \"hydra\")");
  const rd_kafka_resp_err_t e =
      rd_kafka_mock_topic_create(mock_, name.c_str(), partitions, replication);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("embedded broker: cannot create topic " + name + ": " +
                             rd_kafka_err2str(e));
}

std::optional<EmbeddedBroker::Trimmed> EmbeddedBroker::retention_trimmed() const {
  if (!cluster_) return std::nullopt;
  const auto r = cluster_->retention();
  return Trimmed{r.trimmed_records, r.trimmed_bytes};
}

std::optional<EmbeddedBroker::Trimmed> EmbeddedBroker::memory_refused() const {
  if (!cluster_) return std::nullopt;
  const auto r = cluster_->retention();
  return Trimmed{r.refused_records, r.refused_bytes};
}

}  // namespace hydra
