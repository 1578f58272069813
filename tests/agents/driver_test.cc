// The messaging driver seam (agents/driver.h, agents/driver_registry.h):
// drivers are chosen by name, an unknown name is refused naming the known
// ones, and the Kafka driver places keys exactly where librdkafka's murmur2
// partitioner does.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>

#include <librdkafka/rdkafka.h>

#include "agents/driver_registry.h"
#include "agents/kafka/kafka_driver.h"
#include "fake_drivers.h"

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

}  // namespace
}  // namespace hydra
