// Slow clients (subscribers.slow): which ids are slow, and a throttled
// client reads at its rate while an unthrottled one takes everything that
// is there, both on the same loop, fed by FakeConsumers.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "agents/subscriber_client.h"
#include "agents/subscriber_loop.h"
#include "common/slow_clients.h"
#include "fake_drivers.h"

namespace hydra {
namespace {

using test::FakeConsumer;
using test::hydra_message;

TEST(SlowClients, TheFractionIsSpreadEvenlyOverTheIds) {
  auto slow_ids = [](double f, int n) {
    std::vector<int> ids;
    for (int i = 0; i < n; ++i)
      if (is_slow_client(i, f)) ids.push_back(i);
    return ids;
  };
  EXPECT_EQ(slow_ids(0.1, 20), (std::vector<int>{9, 19}));
  EXPECT_EQ(slow_ids(0.3, 10), (std::vector<int>{3, 6, 9}));
  EXPECT_EQ(slow_ids(0.5, 6), (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(slow_ids(1.0, 3).size(), 3u);
  EXPECT_TRUE(slow_ids(0.0, 100).empty());
}

TEST(SlowClients, AThrottledClientReadsAtItsRateTheOtherReadsAll) {
  constexpr int kMessages = 2000;
  constexpr double kRate = 200;  // msg/s
  auto* slow_consumer = new FakeConsumer();
  auto* fast_consumer = new FakeConsumer();
  for (int i = 0; i < kMessages; ++i) {
    slow_consumer->push(hydra_message(1, 0, uint64_t(i), 1));
    fast_consumer->push(hydra_message(1, 0, uint64_t(i), 1));
  }
  SubscriberClient slow(
      0, [&](int) { return std::unique_ptr<ConsumerDriver>(slow_consumer); }, nullptr);
  SubscriberClient fast(
      1, [&](int) { return std::unique_ptr<ConsumerDriver>(fast_consumer); }, nullptr);
  slow.set_slow(kRate);
  ClientLoop loop({&slow, &fast});
  loop.start();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  LiveClientCounts s = slow.live(), f = fast.live();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  loop.request_stop();
  loop.join();
  EXPECT_EQ(f.received, uint64_t(kMessages));
  // Rate x time, give or take the half-second bucket and the loop's 500 ms
  // sweeps (the fake consumer signals its fd only when it gets new input).
  EXPECT_GT(double(s.received), kRate * elapsed * 0.5) << elapsed;
  EXPECT_LT(double(s.received), kRate * (elapsed + 0.6)) << elapsed;
  const ClientStats st = slow.snapshot({});
  EXPECT_TRUE(st.slow);
  EXPECT_FALSE(fast.snapshot({}).slow);
}

}  // namespace
}  // namespace hydra
