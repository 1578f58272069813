// librdkafka (the client Hydra's agents use) against the broker in this
// process: producers with acks 0, 1 and all and an idempotent producer;
// consumers in per-client groups; a shared group of 3 members on 6
// partitions that commits, then resumes from the commits; a producer that
// rides through a broker going down.
#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "broker/broker.h"

namespace hydra::broker {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

rd_kafka_conf_t* conf(const std::map<std::string, std::string>& kv) {
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : kv)
    if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      ADD_FAILURE() << k << ": " << err;
  return c;
}

struct Delivery {
  std::atomic<int> ok{0}, failed{0};
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Delivery*>(opaque);
  (m->err ? d->failed : d->ok)++;
}

// Produces `n` messages "<prefix>-<i>" to `topic` and waits for every
// delivery report. Message i goes to partition i % spread when spread > 0,
// else where librdkafka's partitioner puts it (sticky: a burst lands on
// one partition).
void produce(const std::string& bootstrap, const std::string& topic, int n,
             std::map<std::string, std::string> extra, const std::string& prefix, Delivery& d,
             int spread = 0) {
  extra["bootstrap.servers"] = bootstrap;
  extra["linger.ms"] = "5";
  rd_kafka_conf_t* c = conf(extra);
  rd_kafka_conf_set_opaque(c, &d);
  rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  for (int i = 0; i < n; ++i) {
    const std::string v = prefix + "-" + std::to_string(i);
    const int32_t partition = spread > 0 ? i % spread : RD_KAFKA_PARTITION_UA;
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(rk, 10);
    rd_kafka_poll(rk, 0);
  }
  EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(rk);
}

rd_kafka_t* consumer(const std::string& bootstrap, const std::string& group,
                     const std::string& topic, std::map<std::string, std::string> extra = {}) {
  extra["bootstrap.servers"] = bootstrap;
  extra["group.id"] = group;
  extra["auto.offset.reset"] = "earliest";
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf(extra), err, sizeof err);
  EXPECT_NE(rk, nullptr) << err;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, topic.c_str(), RD_KAFKA_PARTITION_UA);
  EXPECT_EQ(rd_kafka_subscribe(rk, l), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(l);
  return rk;
}

// Polls until `want` messages arrived or `timeout`; returns the values.
std::multiset<std::string> consume(rd_kafka_t* rk, size_t want, std::chrono::seconds timeout) {
  std::multiset<std::string> got;
  const auto deadline = Clock::now() + timeout;
  while (got.size() < want && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) got.emplace(static_cast<const char*>(m->payload), m->len);
    rd_kafka_message_destroy(m);
  }
  return got;
}

void expect_all(const std::multiset<std::string>& got, const std::string& prefix, int n) {
  EXPECT_EQ(got.size(), size_t(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(got.count(prefix + "-" + std::to_string(i)), 1u) << i;
}

class Librdkafka : public ::testing::Test {
 protected:
  Cluster cluster_{Options{.brokers = 1, .io_threads = 2}};
};

TEST_F(Librdkafka, ProducesWithEveryAcksSetting) {
  cluster_.create_topic("acks", 3, 1);
  int total = 0;
  for (const char* acks : {"0", "1", "all"}) {
    Delivery d;
    produce(cluster_.bootstrap(), "acks", 300, {{"acks", acks}}, std::string("a") + acks, d, 3);
    EXPECT_EQ(d.ok, 300) << acks;
    EXPECT_EQ(d.failed, 0) << acks;
    total += 300;
  }
  int64_t stored = 0;
  for (int p = 0; p < 3; ++p) stored += cluster_.high_watermark("acks", p);
  EXPECT_EQ(stored, total);
  rd_kafka_t* c = consumer(cluster_.bootstrap(), "acks-reader", "acks");
  const auto got = consume(c, size_t(total), 30s);
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  for (const char* acks : {"0", "1", "all"}) {
    std::multiset<std::string> part;
    for (const auto& v : got)
      if (v.rfind(std::string("a") + acks + "-", 0) == 0) part.insert(v);
    expect_all(part, std::string("a") + acks, 300);
  }
}

TEST_F(Librdkafka, IdempotentProducer) {
  cluster_.create_topic("idem", 2, 1);
  Delivery d;
  produce(cluster_.bootstrap(), "idem", 2000, {{"enable.idempotence", "true"}}, "i", d);
  EXPECT_EQ(d.ok, 2000);
  EXPECT_EQ(cluster_.high_watermark("idem", 0) + cluster_.high_watermark("idem", 1), 2000);
  rd_kafka_t* c = consumer(cluster_.bootstrap(), "idem-reader", "idem");
  expect_all(consume(c, 2000, 30s), "i", 2000);
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
}

TEST_F(Librdkafka, PerClientGroupsEachGetEverything) {
  cluster_.create_topic("fan", 1, 1);
  std::vector<rd_kafka_t*> cs;
  for (int i = 0; i < 4; ++i)
    cs.push_back(consumer(cluster_.bootstrap(), "own-" + std::to_string(i), "fan"));
  Delivery d;
  produce(cluster_.bootstrap(), "fan", 500, {}, "f", d);
  for (auto* c : cs) {
    expect_all(consume(c, 500, 30s), "f", 500);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
  }
}

TEST_F(Librdkafka, SharedGroupSplitsCommitsAndResumes) {
  cluster_.create_topic("shared", 6, 1);
  const std::map<std::string, std::string> manual{{"enable.auto.commit", "false"}};
  std::vector<rd_kafka_t*> cs;
  for (int i = 0; i < 3; ++i)
    cs.push_back(consumer(cluster_.bootstrap(), "team", "shared", manual));
  // Poll all three until the group settles on two partitions each.
  auto owned = [](rd_kafka_t* c) {
    rd_kafka_topic_partition_list_t* a = nullptr;
    if (rd_kafka_assignment(c, &a) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
    const int n = a->cnt;
    rd_kafka_topic_partition_list_destroy(a);
    return n;
  };
  auto settle_deadline = Clock::now() + 60s;
  bool settled = false;
  while (!settled && Clock::now() < settle_deadline) {
    settled = true;
    for (auto* c : cs) {
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 20)) rd_kafka_message_destroy(m);
      settled &= owned(c) == 2;
    }
  }
  ASSERT_TRUE(settled) << "6 partitions over 3 members: 2 each";

  Delivery d;
  produce(cluster_.bootstrap(), "shared", 600, {}, "s", d, 6);
  ASSERT_EQ(d.ok, 600);
  std::vector<int> per_member(3, 0);
  std::multiset<std::string> all;
  const auto deadline = Clock::now() + 60s;
  while (all.size() < 600 && Clock::now() < deadline) {
    for (size_t i = 0; i < 3; ++i) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(cs[i], 20);
      if (!m) continue;
      if (!m->err) {
        all.emplace(static_cast<const char*>(m->payload), m->len);
        ++per_member[i];
      }
      rd_kafka_message_destroy(m);
    }
  }
  expect_all(all, "s", 600);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GT(per_member[i], 0) << "member " << i << " got a share";
    EXPECT_EQ(rd_kafka_commit(cs[i], nullptr, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  for (auto* c : cs) {
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
  }
  // More data; a new member of the same group resumes from the commits.
  Delivery d2;
  produce(cluster_.bootstrap(), "shared", 90, {}, "late", d2, 6);
  rd_kafka_t* again = consumer(cluster_.bootstrap(), "team", "shared", manual);
  expect_all(consume(again, 90, 30s), "late", 90);
  EXPECT_TRUE(consume(again, 1, 2s).empty()) << "nothing before the commits comes back";
  rd_kafka_consumer_close(again);
  rd_kafka_destroy(again);
}

TEST(LibrdkafkaFaults, ProducerRidesThroughALeaderGoingDown) {
  Cluster cl(Options{.brokers = 3, .io_threads = 2});
  cl.create_topic("ha", 3, 3);
  Delivery d;
  rd_kafka_conf_t* c = conf(
      {{"bootstrap.servers", cl.bootstrap()}, {"enable.idempotence", "true"}, {"linger.ms", "5"}});
  rd_kafka_conf_set_opaque(c, &d);
  rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  const int old_leader = cl.leader("ha", 0);
  for (int i = 0; i < 3000; ++i) {
    if (i == 1500) cl.set_broker_up(old_leader, false);  // messages are in flight
    const std::string v = "h-" + std::to_string(i);
    ASSERT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("ha"), RD_KAFKA_V_PARTITION(i % 3),
                                RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    if (i % 100 == 0) rd_kafka_poll(rk, 1);
  }
  EXPECT_EQ(rd_kafka_flush(rk, 60000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(rk);
  EXPECT_NE(cl.leader("ha", 0), old_leader);
  EXPECT_EQ(d.ok, 3000);
  EXPECT_EQ(d.failed, 0);
  int64_t stored = 0;
  for (int p = 0; p < 3; ++p) stored += cl.high_watermark("ha", p);
  EXPECT_EQ(stored, 3000) << "idempotence: retries after the fault are not stored twice";
}

}  // namespace
}  // namespace hydra::broker
