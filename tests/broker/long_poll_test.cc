// Fetch long-poll on an in-process broker: a waiting fetch is answered by
// the append that gives it min_bytes (well before max_wait), by max_wait
// when nothing comes, and fetches respect max_bytes.
#include <gtest/gtest.h>

#include <thread>

#include "broker/broker.h"
#include "broker/protocol.h"
#include "raw_client.h"

namespace hydra::broker {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class LongPoll : public ::testing::Test {
 protected:
  void SetUp() override { cluster_.create_topic("lp", 1, 1); }
  int port() { return cluster_.port(1); }
  void produce(const std::string& batch) {
    test::RawClient c(port());
    const auto a =
        test::parse_produce(c.call(api::kProduce, 7, test::produce_body("lp", 0, batch)));
    ASSERT_EQ(a.error, 0);
  }
  Cluster cluster_{Options{.brokers = 1, .io_threads = 2}};
};

TEST_F(LongPoll, AppendWakesAWaitingFetch) {
  test::RawClient consumer(port());
  const auto start = Clock::now();
  const int32_t corr = consumer.send(api::kFetch, 11, test::fetch_body("lp", 0, 0, 10000, 1));
  std::this_thread::sleep_for(200ms);
  produce(test::make_batch({"hello"}));
  const auto f = test::parse_fetch(consumer.receive(corr, 15s));
  const auto waited = Clock::now() - start;
  EXPECT_EQ(f.error, 0);
  EXPECT_EQ(f.high_watermark, 1);
  EXPECT_NE(f.records.find("hello"), std::string::npos);
  // Answered by the append, not by the 10 s max_wait.
  EXPECT_LT(waited, 5s);
  EXPECT_GE(waited, 150ms);  // and not before the data was there
}

TEST_F(LongPoll, EmptyFetchIsAnsweredAtMaxWait) {
  test::RawClient consumer(port());
  const auto start = Clock::now();
  const auto f =
      test::parse_fetch(consumer.call(api::kFetch, 11, test::fetch_body("lp", 0, 0, 300, 1)));
  EXPECT_GE(Clock::now() - start, 290ms);
  EXPECT_EQ(f.error, 0);
  EXPECT_TRUE(f.records.empty());
}

TEST_F(LongPoll, WaitsUntilMinBytesAreThere) {
  const std::string small = test::make_batch({"x"});
  test::RawClient consumer(port());
  const int32_t corr = consumer.send(
      api::kFetch, 11, test::fetch_body("lp", 0, 0, 10000, int32_t(small.size() * 3)));
  const auto start = Clock::now();
  produce(small);  // not enough: the fetch keeps waiting
  EXPECT_THROW(consumer.receive(corr, 300ms), std::runtime_error);
  produce(small);
  produce(small);  // now min_bytes are there
  // The response was not consumed by the timed-out receive: its 8 header
  // bytes were not there then, so it is read now.
  const auto f = test::parse_fetch(consumer.receive(corr, 5s));
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(f.records.size(), small.size() * 3);
}

TEST_F(LongPoll, MaxBytesLimitsButOneBatchAlwaysComes) {
  const std::string b = test::make_batch({std::string(100, 'v')});
  for (int i = 0; i < 4; ++i) produce(b);
  test::RawClient c(port());
  auto f = test::parse_fetch(
      c.call(api::kFetch, 11, test::fetch_body("lp", 0, 0, 0, 1, int32_t(b.size() * 2 + 10))));
  EXPECT_EQ(f.records.size(), b.size() * 2);
  f = test::parse_fetch(c.call(api::kFetch, 11, test::fetch_body("lp", 0, 0, 0, 1, 10)));
  EXPECT_EQ(f.records.size(), b.size());
  f = test::parse_fetch(c.call(api::kFetch, 11, test::fetch_body("lp", 0, 2, 0, 1)));
  EXPECT_EQ(f.records.size(), b.size() * 2);
  EXPECT_EQ(get_be64(f.records.data()), 2);
  f = test::parse_fetch(c.call(api::kFetch, 11, test::fetch_body("lp", 0, 99, 0, 1)));
  EXPECT_EQ(f.error, err::kOffsetOutOfRange);
}

}  // namespace
}  // namespace hydra::broker
