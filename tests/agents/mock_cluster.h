// librdkafka's mock cluster on loopback, for the agent tests that need a real
// Kafka-protocol peer in-process (driver admin, transactions): its lifetime
// is this object's. The mock needs a client handle to live in; that handle
// serves nothing else.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace hydra::test {

class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk_) {
      error_ = err;
      return;
    }
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (!cluster_) {
      error_ = "rd_kafka_mock_cluster_new failed";
      return;
    }
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~MockCluster() {
    if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
    if (rk_) rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // Empty when the cluster is up; else why not (tests assert on it).
  const std::string& error() const { return error_; }
  const std::string& bootstrap() const { return bootstrap_; }
  rd_kafka_resp_err_t create_topic(const std::string& name, int partitions, int replication) {
    return rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication);
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  std::string error_;
};

}  // namespace hydra::test
