// The messaging driver seam (agents/driver.h, agents/driver_registry.h):
// drivers are chosen by name, an unknown name is refused naming the known
// ones, the Kafka driver places keys exactly where librdkafka's murmur2
// partitioner does, its admin checks an existing topic on a cluster (the
// mock, on loopback) or has an in-process broker create it, and its consumer
// with groups "none" is ready at once, owning every partition from the end of
// the log, waking its wait_fd when messages arrive.
#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include <librdkafka/rdkafka.h>

#include "agents/driver_registry.h"
#include "agents/kafka/kafka_driver.h"
#include "common/clock.h"
#include "fake_drivers.h"
#include "mock_cluster.h"

namespace hydra {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(DriverRegistry, TheBuiltInRegistryHasKafka) {
  EXPECT_TRUE(builtin_drivers().has("kafka"));
  EXPECT_FALSE(builtin_drivers().has("no-such-driver"));
  auto d = builtin_drivers().make(kDefaultDriver);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name(), "kafka");
}

TEST(DriverRegistry, AnUnknownNameIsRefusedNamingTheKnownOnes) {
  const std::string err = error_of([] { builtin_drivers().make("no-such-driver"); });
  EXPECT_EQ(err.rfind("unknown driver \"no-such-driver\" (known: ", 0), 0u) << err;
  EXPECT_NE(err.find("kafka"), std::string::npos) << err;

  DriverRegistry r;
  EXPECT_EQ(error_of([&] { r.make("kafka"); }), "unknown driver \"kafka\" (known: none)");
  r.add("b", [](const nlohmann::json&) { return make_kafka_driver(nullptr); });
  r.add("a", [](const nlohmann::json&) { return make_kafka_driver(nullptr); });
  EXPECT_EQ(error_of([&] { r.make("c"); }), "unknown driver \"c\" (known: a, b)");
  EXPECT_EQ(r.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_NO_THROW(r.make("a"));
}

TEST(DriverRegistry, TheSectionReachesTheDriverAndABadOneIsRefused) {
  EXPECT_NO_THROW(builtin_drivers().make("kafka", {{"properties", {{"client.id", "hydra-x"}}}}));
  EXPECT_NE(error_of([] { builtin_drivers().make("kafka", 5); }).find("must be an object"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              builtin_drivers().make("kafka", {{"colour", 1}});
            }).find("unknown setting \"colour\""),
            std::string::npos);
  // librdkafka judges the properties when the driver is made.
  EXPECT_NE(error_of([] {
              builtin_drivers().make("kafka", {{"properties", {{"no.such.property", "1"}}}});
            }).find("kafka.no.such.property"),
            std::string::npos);
}

TEST(DriverRegistry, FakeDriversPlugIn) {
  int made = 0;
  DriverRegistry r = test::fake_drivers(
      [&](const proto::PublisherConfig&, DeliveryFn fn) {
        ++made;
        return std::make_unique<test::FakeProducer>(test::FakeProducer::Options{}, std::move(fn));
      },
      nullptr);
  auto d = r.make("kafka");
  EXPECT_EQ(d->name(), "fake");
  EXPECT_NE(d->make_producer(proto::PublisherConfig{}, [](const void*, size_t, bool) {}), nullptr);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(d->partition_for_key("ab", 10), ('a' + 'b') % 10);
}

TEST(KafkaDriver, PartitionForKeyIsLibrdkafkasMurmur2) {
  auto d = builtin_drivers().make("kafka");
  std::mt19937 rng(12345);
  std::vector<std::string> keys = {"", "a", "ab", "abc", "abcd", "key-0", "key-17", "hydra"};
  for (int i = 0; i < 2000; ++i) {
    std::string k(rng() % 40, '\0');
    for (auto& c : k) c = char(rng());  // any byte, high bit set too
    keys.push_back(k);
  }
  int checked = 0;
  for (const int32_t partitions : {1, 2, 3, 4, 7, 12, 64, 1000}) {
    for (const auto& k : keys) {
      const int32_t want = rd_kafka_msg_partitioner_murmur2(nullptr, k.data(), k.size(), partitions,
                                                            nullptr, nullptr);
      ASSERT_EQ(d->partition_for_key(k, partitions), want)
          << "key of " << k.size() << " bytes, " << partitions << " partitions";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8 * int(keys.size()));
}

// librdkafka's mock cluster on loopback, holding topic "present" (3 partitions).
class KafkaDriverAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.error().empty()) << mock_.error();
    ASSERT_EQ(mock_.create_topic("present", 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    bootstrap_ = mock_.bootstrap();
  }
  std::string ensure_error(const TopicSpec& spec) {
    try {
      builtin_drivers().make("kafka")->make_admin({bootstrap_, nullptr})->ensure_topic(spec);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  test::MockCluster mock_{1};
  std::string bootstrap_;
};

TEST_F(KafkaDriverAdmin, AnExistingTopicIsCheckedNotRecreated) {
  EXPECT_NE(ensure_error({"present", 3, 1, /*reuse=*/false, 5000}).find("already exists"),
            std::string::npos);
  EXPECT_NE(ensure_error({"present", 4, 1, /*reuse=*/true, 5000})
                .find("has 3 partitions, the scenario needs 4"),
            std::string::npos);
  EXPECT_EQ(ensure_error({"present", 2, 1, /*reuse=*/true, 5000}), "");
}

TEST_F(KafkaDriverAdmin, AnInProcessBrokerCreatesTheTopicItself) {
  std::vector<std::string> calls;
  AdminTarget target{bootstrap_, [&](const std::string& name, int partitions, int replication,
                                     const std::map<std::string, std::string>&) {
                       calls.push_back(name + "/" + std::to_string(partitions) + "/" +
                                       std::to_string(replication));
                       ASSERT_EQ(mock_.create_topic(name, partitions, replication),
                                 RD_KAFKA_RESP_ERR_NO_ERROR);
                     }};
  auto admin = builtin_drivers().make("kafka")->make_admin(target);
  admin->ensure_topic({"made", 5, 1, false, 5000});
  EXPECT_EQ(calls, std::vector<std::string>{"made/5/1"});
  // The cluster now has it, with that layout.
  EXPECT_NE(ensure_error({"made", 6, 1, true, 5000}).find("has 5 partitions"), std::string::npos);
}

TEST_F(KafkaDriverAdmin, GroupsNoneAssignsEveryPartitionAtTheEndAndWakesItsFd) {
  // A producer on the mock cluster (the fixture's handle only hosts it).
  rd_kafka_conf_t* pconf = rd_kafka_conf_new();
  char err[512];
  ASSERT_EQ(rd_kafka_conf_set(pconf, "bootstrap.servers", bootstrap_.c_str(), err, sizeof err),
            RD_KAFKA_CONF_OK);
  rd_kafka_conf_set(pconf, "linger.ms", "0", err, sizeof err);
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> producer(
      rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err), &rd_kafka_destroy);
  ASSERT_TRUE(producer) << err;
  rd_kafka_t* const pk = producer.get();
  auto produce = [&](int32_t partition, const std::string& v) {
    ASSERT_EQ(rd_kafka_producev(pk, RD_KAFKA_V_TOPIC("present"), RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  };
  produce(0, "before");  // already in the log: not to be read
  ASSERT_EQ(rd_kafka_flush(pk, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);

  proto::SubscriberConfig cfg;
  cfg.bootstrap = bootstrap_;
  cfg.topic = "present";
  cfg.groups = "none";
  cfg.clients = 1;
  auto consumer = builtin_drivers().make("kafka")->make_consumer(cfg, 0);
  EXPECT_TRUE(consumer->ready()) << "ready once made: no group to join";
  EXPECT_EQ(consumer->assigned(), (std::vector<int32_t>{0, 1, 2}));
  ASSERT_GE(consumer->wait_fd(), 0);

  const int64_t sent_ns = wall_ns();
  for (int i = 0; i < 30; ++i) produce(i % 3, "m" + std::to_string(i));
  ASSERT_EQ(rd_kafka_flush(pk, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<std::string> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Received r;
  while (got.size() < 30 && std::chrono::steady_clock::now() < deadline) {
    // Waits on the fd only: a message that never signals it is never read.
    pollfd p{consumer->wait_fd(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    while (consumer->poll(0, r)) {
      ASSERT_FALSE(r.error) << r.errstr;
      EXPECT_GE(r.recv_ns, sent_ns) << "the receive time is read after the message is in hand";
      got.emplace_back(static_cast<const char*>(r.value), r.len);
    }
  }
  EXPECT_EQ(got.size(), 30u);
  EXPECT_EQ(std::count(got.begin(), got.end(), "before"), 0) << "read from the end of the log";
  consumer->close();
}

}  // namespace
}  // namespace hydra
