// The embedded broker hosted in this process, of one of two kinds:
//
// - "hydra" (the default): Hydra's own Kafka-protocol broker (broker/broker.h)
//   — in-memory logs, several I/O threads, long-polling fetches, retention
//   that is counted. Built to carry load-test traffic.
// - "mock": librdkafka's mock cluster (rdkafka_mock.h), written to test
//   clients: one thread for every broker, one batch per fetch. It stays for
//   what only it serves (transactions).
//
// Either speaks the Kafka protocol on loopback ports, so any Kafka client
// (kcat, kafka-python, librdkafka) can produce and consume against it.
// Neither is Apache Kafka: results measured on it measure the clients plus
// this broker, not a real cluster.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace hydra {

namespace broker {
class Cluster;
}

class EmbeddedBroker {
 public:
  enum class Kind { kHydra, kMock };
  // "hydra" or "mock"; throws std::invalid_argument naming the choices.
  static Kind parse_kind(const std::string& s);
  static const char* kind_name(Kind k);

  // Starts `brokers` brokers (1..16) listening on `listen` (an address of
  // this host, advertised to clients as it is: agents on other hosts reach
  // the broker there; broker.embedded.listen). Throws std::invalid_argument
  // for a bad count, or a non-loopback address with the mock kind (it listens
  // on loopback only), and std::runtime_error when the broker cannot start.
  explicit EmbeddedBroker(int brokers, Kind kind = Kind::kHydra,
                          const std::string& listen = "127.0.0.1");
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // host:port,host:port,...
  std::string bootstrap() const { return bootstrap_; }
  int brokers() const { return brokers_; }
  const std::string& listen() const { return listen_; }
  Kind kind() const { return kind_; }

  // Creates a topic. Throws std::invalid_argument for impossible values
  // (replication > brokers) and std::runtime_error when the broker refuses.
  // `config`: topic configuration entries (topic.config); the hydra kind
  // applies them as its CreateTopics handler does (retention), the mock
  // takes none (std::invalid_argument).
  void create_topic(const std::string& name, int partitions, int replication,
                    const std::map<std::string, std::string>& config = {});

  // Records (and bytes) that retention removed or the memory cap refused
  // since start. The mock does not count them: empty for kind "mock".
  struct Trimmed {
    int64_t records = 0, bytes = 0;
  };
  std::optional<Trimmed> retention_trimmed() const;
  std::optional<Trimmed> memory_refused() const;

  // The hydra kind's control interface (fault injection); nullptr for mock.
  broker::Cluster* cluster() { return cluster_.get(); }
  // The mock kind's cluster handle (rdkafka_mock.h), for the same; nullptr
  // for hydra.
  rd_kafka_mock_cluster_s* mock() { return mock_; }

 private:
  int brokers_;
  Kind kind_;
  std::string listen_;
  std::unique_ptr<broker::Cluster> cluster_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_mock_cluster_s* mock_ = nullptr;
  std::string bootstrap_;
};

}  // namespace hydra
