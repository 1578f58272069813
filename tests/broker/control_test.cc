// The control interface: brokers down and up (connection refused,
// leadership moves to a live replica, clients see NOT_LEADER_OR_FOLLOWER),
// response delay, pushed request errors, moving a leader; plus the
// idempotent-producer sequence checks and retention counters.
#include <gtest/gtest.h>

#include "broker/broker.h"
#include "broker/codec.h"
#include "broker/protocol.h"
#include "raw_client.h"

namespace hydra::broker {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int16_t produce(int port, const std::string& topic, int partition, const std::string& batch,
                int64_t* offset = nullptr) {
  test::RawClient c(port);
  const auto a =
      test::parse_produce(c.call(api::kProduce, 7, test::produce_body(topic, partition, batch)));
  if (offset) *offset = a.base_offset;
  return a.error;
}

// Leader of partition 0 of `topic` as Metadata v7 reports it.
int32_t metadata_leader(int port, const std::string& topic) {
  test::RawClient c(port);
  Writer w;
  w.array_len(1);
  w.string(topic);
  w.boolean(false);
  const std::string body = c.call(api::kMetadata, 7, w.buffer());
  Reader r(body);
  r.i32();  // throttle
  const int32_t nb = r.array_len();
  for (int32_t i = 0; i < nb; ++i) {
    r.i32();
    r.string();
    r.i32();
    r.nullable_string();
  }
  r.nullable_string();
  r.i32();
  r.array_len();
  EXPECT_EQ(r.i16(), 0);
  r.string();
  r.boolean();
  r.array_len();
  r.i16();
  EXPECT_EQ(r.i32(), 0);
  return r.i32();
}

TEST(Control, BrokerDownMovesLeadershipAndRefusesConnections) {
  Cluster cl(Options{.brokers = 3, .io_threads = 2});
  cl.create_topic("t", 1, 2);
  const int leader = cl.leader("t", 0);
  ASSERT_GE(leader, 1);
  const int other = leader % 3 + 1;  // the second replica (replicas are consecutive)
  EXPECT_EQ(produce(cl.port(other), "t", 0, test::make_batch({"a"})), err::kNotLeaderOrFollower);
  EXPECT_EQ(produce(cl.port(leader), "t", 0, test::make_batch({"a"})), 0);

  test::RawClient open_conn(cl.port(leader));
  const int leader_port = cl.port(leader);
  cl.set_broker_up(leader, false);
  EXPECT_FALSE(cl.broker_up(leader));
  EXPECT_TRUE(open_conn.closed_within(2s)) << "open connections of a down broker drop";
  EXPECT_THROW(test::RawClient{leader_port}, std::runtime_error) << "connection refused";
  EXPECT_EQ(cl.leader("t", 0), other);
  EXPECT_EQ(metadata_leader(cl.port(other), "t"), other);
  int64_t off = -1;
  EXPECT_EQ(produce(cl.port(other), "t", 0, test::make_batch({"b"}), &off), 0);
  EXPECT_EQ(off, 1) << "the new leader has what the old one appended";

  cl.set_broker_up(leader, true);
  EXPECT_EQ(cl.port(leader), leader_port) << "a broker comes back on its port";
  EXPECT_NO_THROW(test::RawClient{leader_port});
  EXPECT_EQ(cl.leader("t", 0), other) << "leadership stays where it moved";
}

TEST(Control, NoLiveReplicaLeavesNoLeader) {
  Cluster cl(Options{.brokers = 2, .io_threads = 1});
  cl.create_topic("t", 1, 1);
  const int leader = cl.leader("t", 0);
  cl.set_broker_up(leader, false);
  EXPECT_EQ(cl.leader("t", 0), -1);
  cl.set_broker_up(leader, true);
  EXPECT_EQ(cl.leader("t", 0), leader);
}

TEST(Control, ResponseDelay) {
  Cluster cl(Options{.brokers = 1, .io_threads = 1});
  test::RawClient c(cl.port(1));
  cl.set_response_delay(1, 300ms);
  auto start = Clock::now();
  c.call(api::kApiVersions, 2, "");
  EXPECT_GE(Clock::now() - start, 290ms);
  cl.set_response_delay(1, 0ms);
  start = Clock::now();
  c.call(api::kApiVersions, 2, "");
  EXPECT_LT(Clock::now() - start, 290ms);
}

TEST(Control, PushedErrorsAreAnsweredNTimes) {
  Cluster cl(Options{.brokers = 1, .io_threads = 1});
  cl.create_topic("t", 1, 1);
  cl.push_request_errors(1, api::kProduce, err::kRequestTimedOut, 2);
  EXPECT_EQ(produce(cl.port(1), "t", 0, test::make_batch({"a"})), err::kRequestTimedOut);
  EXPECT_EQ(produce(cl.port(1), "t", 0, test::make_batch({"a"})), err::kRequestTimedOut);
  EXPECT_EQ(produce(cl.port(1), "t", 0, test::make_batch({"a"})), 0);
  EXPECT_EQ(cl.high_watermark("t", 0), 1);
  EXPECT_THROW(cl.push_request_errors(1, 999, 1, 1), std::invalid_argument);
}

TEST(Control, MoveLeader) {
  Cluster cl(Options{.brokers = 2, .io_threads = 1});
  cl.create_topic("t", 1, 2);
  const int a = cl.leader("t", 0), b = 3 - a;
  cl.move_leader("t", 0, b);
  EXPECT_EQ(cl.leader("t", 0), b);
  EXPECT_EQ(produce(cl.port(a), "t", 0, test::make_batch({"x"})), err::kNotLeaderOrFollower);
  EXPECT_EQ(produce(cl.port(b), "t", 0, test::make_batch({"x"})), 0);
  cl.create_topic("single", 1, 1);
  const int lone = cl.leader("single", 0);
  EXPECT_THROW(cl.move_leader("single", 0, 3 - lone), std::invalid_argument);
  EXPECT_THROW(cl.move_leader("nope", 0, 1), std::invalid_argument);
}

TEST(Idempotence, DuplicatesAndGapsAreCaught) {
  Cluster cl(Options{.brokers = 1, .io_threads = 1});
  cl.create_topic("t", 1, 1);
  const int port = cl.port(1);
  int64_t off = -1;
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"a", "b"}, 5, 0, 0), &off), 0);
  EXPECT_EQ(off, 0);
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"c"}, 5, 0, 2), &off), 0);
  EXPECT_EQ(off, 2);
  // The same batch again (a retry): the original offset, nothing appended.
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"a", "b"}, 5, 0, 0), &off), 0);
  EXPECT_EQ(off, 0);
  EXPECT_EQ(cl.high_watermark("t", 0), 3);
  // A gap: sequence 5 when 3 is next.
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"d"}, 5, 0, 5)),
            err::kOutOfOrderSequenceNumber);
  // A new producer must start at 0.
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"e"}, 6, 0, 7)),
            err::kOutOfOrderSequenceNumber);
  // An older epoch is fenced.
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"f"}, 5, 1, 0)), 0);
  EXPECT_EQ(produce(port, "t", 0, test::make_batch({"g"}, 5, 0, 3)), err::kInvalidProducerEpoch);
  EXPECT_EQ(cl.high_watermark("t", 0), 4);
}

TEST(Retention, TopicRetentionIsCountedAndMemoryCapRefuses) {
  Cluster cl(Options{.brokers = 1, .io_threads = 1, .memory_cap_bytes = 4000});
  const std::string b = test::make_batch({std::string(200, 'r')});
  cl.create_topic("kept", 1, 1, TopicConfig{.retention_bytes = int64_t(b.size()) * 2});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(produce(cl.port(1), "kept", 0, b), 0);
  auto s = cl.retention();
  EXPECT_EQ(s.trimmed_records, 3);
  EXPECT_EQ(s.trimmed_bytes, int64_t(b.size()) * 3);
  EXPECT_EQ(s.refused_records, 0);
  // Without retention the cap fills: a retriable storage error, counted.
  cl.create_topic("full", 1, 1);
  int16_t last = 0;
  for (int i = 0; i < 30 && last == 0; ++i) last = produce(cl.port(1), "full", 0, b);
  EXPECT_EQ(last, err::kKafkaStorageError);
  s = cl.retention();
  EXPECT_EQ(s.refused_records, 1);
  EXPECT_LE(s.memory_used, s.memory_cap);
  cl.delete_topic("full");
  EXPECT_EQ(produce(cl.port(1), "kept", 0, b), 0) << "deleting a topic frees its memory";
}

TEST(Versions, UnsupportedApiVersionsAnswersWithTheList) {
  Cluster cl(Options{.brokers = 1, .io_threads = 1});
  test::RawClient c(cl.port(1));
  const std::string body = c.call(api::kApiVersions, 3, "");
  Reader r(body);
  EXPECT_EQ(r.i16(), err::kUnsupportedVersion);
  const int32_t n = r.array_len();
  bool saw = false;
  for (int32_t i = 0; i < n; ++i) {
    const int16_t key = r.i16(), lo = r.i16(), hi = r.i16();
    EXPECT_LE(lo, hi);
    if (key == api::kApiVersions) saw = hi == 2;
  }
  EXPECT_TRUE(saw);
  // A version of another API outside the served range closes the connection.
  test::RawClient d(cl.port(1));
  d.send(api::kMetadata, 12, "");
  EXPECT_TRUE(d.closed_within(2s));
}

}  // namespace
}  // namespace hydra::broker
