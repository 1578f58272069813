// The Kafka producer driver with `transactional.id` (exactly-once), against
// librdkafka's mock cluster on loopback: transactions are initialized, the
// messages arrive, a read_committed consumer sees the committed ones, and a
// transaction left open at destruction ends promptly.
// Without rd_kafka_init_transactions every send fails ("Erroneous state").
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <string>

#include "agents/driver_registry.h"
#include "agents/kafka/kafka_producer.h"
#include "agents/transport.h"
#include "common/protocol.h"
#include "mock_cluster.h"

namespace hydra {
namespace {

using namespace std::chrono_literals;

class PublisherTransactions : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.error().empty()) << mock_.error();
    ASSERT_EQ(mock_.create_topic("tx", 1, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    bootstrap_ = mock_.bootstrap();
  }

  std::unique_ptr<ProducerDriver> producer(const std::string& txn_id) {
    proto::PublisherConfig c;
    c.bootstrap = bootstrap_;
    c.topic = "tx";
    c.acks = "all";
    c.kafka = {{"transactional.id", txn_id}, {"enable.idempotence", "true"}};
    return builtin_drivers().make("kafka")->make_producer(
        c, [this](const void*, size_t, bool ok) { (ok ? acked_ : failed_).fetch_add(1); });
  }

  // Sends n messages "<tag>-<i>" to partition 0, polling as it goes.
  void send(ProducerDriver& p, const std::string& tag, int n) {
    for (int i = 0; i < n; ++i) {
      const std::string v = tag + "-" + std::to_string(i);
      SendStatus s;
      while ((s = p.send(0, "", v.data(), v.size())) == SendStatus::kQueueFull) p.poll(10);
      ASSERT_EQ(s, SendStatus::kOk) << p.last_error();
      if (i % 100 == 0) p.poll(0);
    }
  }

  // Messages a consumer with `isolation` reads from the start of the topic
  // until `want` arrived or nothing more came for 1.5 s (bounded: 15 s).
  int read_all(const std::string& isolation, int want) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] :
         std::map<std::string, std::string>{{"bootstrap.servers", bootstrap_},
                                            {"group.id", "txn-test-" + isolation},
                                            {"isolation.level", isolation},
                                            {"enable.auto.commit", "false"},
                                            {"log_level", "3"}})
      EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err), RD_KAFKA_CONF_OK)
          << k << ": " << err;
    rd_kafka_t* c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    EXPECT_NE(c, nullptr) << err;
    if (!c) return -1;
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, "tx", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    int n = 0;
    auto quiet_since = std::chrono::steady_clock::now();
    const auto limit = std::chrono::steady_clock::now() + 15s;
    while (n < want && std::chrono::steady_clock::now() < limit &&
           std::chrono::steady_clock::now() - quiet_since < 1500ms) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
      if (!m) continue;
      if (!m->err) {
        ++n;
        quiet_since = std::chrono::steady_clock::now();
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return n;
  }

  test::MockCluster mock_{3};
  std::string bootstrap_;
  std::atomic<int> acked_{0}, failed_{0};
};

TEST_F(PublisherTransactions, CommittedMessagesReachReadCommittedConsumers) {
  auto p = producer("hydra-txn-1");
  send(*p, "a", 2500);
  // The publisher's stop: flush until nothing is outstanding (the open
  // transaction counts until it is committed).
  int outstanding = 1;
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (outstanding > 0 && std::chrono::steady_clock::now() < limit) outstanding = p->flush(100);
  EXPECT_EQ(outstanding, 0) << p->last_error();
  EXPECT_EQ(acked_.load(), 2500);
  EXPECT_EQ(failed_.load(), 0);
  EXPECT_EQ(read_all("read_committed", 2500), 2500);
}

// The mock cluster acknowledges EndTxn without writing transaction markers,
// so it cannot show that aborted messages stay invisible to read_committed
// readers (a real cluster does). What it shows: a producer destroyed with a
// transaction open ends promptly (the abort is bounded), and what an earlier
// flush committed was delivered.
TEST_F(PublisherTransactions, AnOpenTransactionAtDestructionEndsPromptly) {
  {
    // The producer itself, so its transaction stays open until flushed.
    auto p = std::make_unique<KafkaProducer>(
        bootstrap_, "tx", KafkaPropMap{{"acks", "all"}},
        KafkaPropMap{{"transactional.id", "hydra-txn-2"}},
        [this](const void*, size_t, bool ok) { (ok ? acked_ : failed_).fetch_add(1); });
    p->set_transaction_bounds(std::chrono::milliseconds(60'000), ~uint64_t(0));
    send(*p, "committed", 300);
    int outstanding = 1;
    const auto limit = std::chrono::steady_clock::now() + 10s;
    while (outstanding > 0 && std::chrono::steady_clock::now() < limit) outstanding = p->flush(100);
    ASSERT_EQ(outstanding, 0) << p->last_error();
    send(*p, "open", 50);
    const auto acked_by = std::chrono::steady_clock::now() + 5s;
    while (acked_.load() < 350 && std::chrono::steady_clock::now() < acked_by) p->poll(5);
    EXPECT_EQ(acked_.load(), 350);
    const auto t0 = std::chrono::steady_clock::now();
    p.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  }
  EXPECT_GE(read_all("read_committed", 350), 300);
}

}  // namespace
}  // namespace hydra
