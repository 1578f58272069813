// The embedded broker: librdkafka's mock cluster hosted in this process.
//
// It speaks the Kafka protocol on loopback ports, so any Kafka client (kcat,
// kafka-python, librdkafka) can produce and consume against it. It is not
// Apache Kafka: it keeps logs in memory, runs every broker on one thread of
// this process and implements a subset of the protocol (no admin API for
// topic creation: topics are created here). Results measured on it measure
// the clients plus the mock broker, not a real cluster.
#pragma once

#include <string>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace hydra {

class EmbeddedBroker {
 public:
  // Starts `brokers` mock brokers (1..16) on 127.0.0.1. Throws
  // std::runtime_error when librdkafka cannot.
  explicit EmbeddedBroker(int brokers);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // host:port,host:port,...
  std::string bootstrap() const { return bootstrap_; }
  int brokers() const { return brokers_; }

  // Creates a topic. Throws std::invalid_argument for impossible values
  // (replication > brokers) and std::runtime_error when the mock refuses.
  void create_topic(const std::string& name, int partitions, int replication);

 private:
  int brokers_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace hydra
