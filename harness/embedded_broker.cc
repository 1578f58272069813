#include "harness/embedded_broker.h"

#include <stdexcept>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace hydra {

EmbeddedBroker::EmbeddedBroker(int brokers) : brokers_(brokers) {
  if (brokers < 1 || brokers > 16)
    throw std::invalid_argument("brokers: must be 1..16 (got " + std::to_string(brokers) + ")");
  // The mock cluster needs a client instance for its bookkeeping; this one
  // never connects anywhere.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("embedded broker: cannot create client: ") + err);
  }
  cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
  if (!cluster_) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error("embedded broker: librdkafka could not start the mock cluster");
  }
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

EmbeddedBroker::~EmbeddedBroker() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(rk_);
}

void EmbeddedBroker::create_topic(const std::string& name, int partitions, int replication) {
  if (name.empty()) throw std::invalid_argument("topic name must not be empty");
  if (partitions < 1) throw std::invalid_argument("partitions: must be >= 1");
  if (replication < 1 || replication > brokers_)
    throw std::invalid_argument("replication: must be 1.." + std::to_string(brokers_) +
                                " (the embedded broker has " + std::to_string(brokers_) +
                                " brokers), got " + std::to_string(replication));
  const rd_kafka_resp_err_t e =
      rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("embedded broker: cannot create topic " + name + ": " +
                             rd_kafka_err2str(e));
}

}  // namespace hydra
