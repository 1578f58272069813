#include "common/rate_limiter.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "common/clock.h"

namespace hydra {
namespace {

// A clock that only moves when told to (or when slept on). sleep_until() jumps
// to the target, or only part of the way with `short_sleeps`, to model a real
// sleep that returns early.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t t) : t_(t) {}
  int64_t now() override { return t_; }
  void sleep_until(int64_t target) override {
    ++sleeps;
    if (target <= t_) return;
    t_ = short_sleeps ? t_ + (target - t_ + 1) / 2 : target;
  }
  void advance(int64_t d) { t_ += d; }
  void set(int64_t t) { t_ = t; }

  int sleeps = 0;
  bool short_sleeps = false;

 private:
  int64_t t_;
};

constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // a realistic epoch time
constexpr int64_t kMs = 1'000'000;

TEST(RateLimiter, SlotsAreDueAtExactIntendedTimes) {
  FakeClock clock(kT0);
  RateLimiter rl(clock, 1000);
  rl.start(kT0);
  for (uint64_t i = 0; i < 100; ++i) {
    const int64_t due = rl.acquire();
    EXPECT_EQ(due, kT0 + int64_t(i) * kMs) << "slot " << i;
    EXPECT_EQ(clock.now(), due) << "must not return before the slot is due";
  }
  EXPECT_EQ(rl.slots_taken(), 100u);
  EXPECT_EQ(rl.rate(), 1000.0);
}

TEST(RateLimiter, FirstSlotIsDueAtStart) {
  FakeClock clock(kT0 - 5 * kMs);
  RateLimiter rl(clock, 10);
  rl.start(kT0);
  EXPECT_EQ(rl.acquire(), kT0);
  EXPECT_EQ(clock.now(), kT0);
}

TEST(RateLimiter, NoDriftOverAMillionSlots) {
  // 1e9 / 7 ns is not an integer: a limiter that added a rounded period each
  // slot would drift by up to 0.43 ns per slot (hundreds of µs by the end).
  FakeClock clock(kT0);
  RateLimiter rl(clock, 7);
  rl.start(kT0);
  constexpr uint64_t kSlots = 1'000'000;
  int64_t prev = 0;
  for (uint64_t i = 0; i < kSlots; ++i) {
    const int64_t due = rl.acquire();
    const int64_t want = kT0 + int64_t(i * 1'000'000'000ULL / 7);  // exact integer floor
    ASSERT_EQ(due, want) << "slot " << i;
    if (i > 0) {
      const int64_t gap = due - prev;
      ASSERT_TRUE(gap == 142'857'142 || gap == 142'857'143) << "slot " << i << " gap " << gap;
    }
    prev = due;
  }
  EXPECT_EQ(rl.slots_taken(), kSlots);
  EXPECT_EQ(rl.slot_time(kSlots), kT0 + int64_t(kSlots * 1'000'000'000ULL / 7));
}

TEST(RateLimiter, EarlyWakeupsDoNotReleaseASlotEarly) {
  FakeClock clock(kT0);
  clock.short_sleeps = true;
  RateLimiter rl(clock, 100);
  rl.start(kT0);
  rl.acquire();
  const int64_t due = rl.acquire();
  EXPECT_EQ(due, kT0 + 10 * kMs);
  EXPECT_GE(clock.now(), due);
  EXPECT_GT(clock.sleeps, 1);  // it had to sleep again after waking early
}

TEST(RateLimiter, StalledSenderCatchesUpWithOriginalIntendedTimes) {
  FakeClock clock(kT0);
  RateLimiter rl(clock, 1000);
  rl.start(kT0);
  for (int i = 0; i < 10; ++i) rl.acquire();
  ASSERT_EQ(clock.now(), kT0 + 9 * kMs);

  // The sender stalls for 50 ms (GC pause, full queue, ...).
  clock.advance(50 * kMs);
  const int64_t stalled_at = clock.now();  // t0 + 59 ms
  const int sleeps_before = clock.sleeps;
  // Slots 10..59 are overdue: they come back to back, without sleeping, each
  // stamped with its schedule time, so latency from intended includes the stall.
  for (int64_t i = 10; i <= 59; ++i) {
    EXPECT_EQ(rl.acquire(), kT0 + i * kMs) << "slot " << i;
    EXPECT_EQ(clock.now(), stalled_at) << "an overdue slot must not wait";
  }
  EXPECT_EQ(clock.sleeps, sleeps_before);
  // Caught up: the next slot waits for its time again.
  EXPECT_EQ(rl.acquire(), kT0 + 60 * kMs);
  EXPECT_EQ(clock.now(), kT0 + 60 * kMs);
  EXPECT_EQ(rl.slots_taken(), 61u);
}

TEST(RateLimiter, TryAcquire) {
  FakeClock clock(kT0);
  RateLimiter rl(clock, 1000);
  rl.start(kT0);
  EXPECT_EQ(rl.try_acquire(kT0 - 1), -1);  // before t0
  EXPECT_EQ(rl.slots_taken(), 0u);
  EXPECT_EQ(rl.try_acquire(kT0), kT0);
  EXPECT_EQ(rl.try_acquire(kT0), -1);  // slot 1 not due yet
  EXPECT_EQ(rl.try_acquire(kT0 + kMs - 1), -1);
  EXPECT_EQ(rl.slots_taken(), 1u);
  EXPECT_EQ(rl.try_acquire(kT0 + kMs), kT0 + kMs);
  // Polled late: overdue slots come out one per call with their own times.
  const int64_t late = kT0 + 4 * kMs + 500'000;
  EXPECT_EQ(rl.try_acquire(late), kT0 + 2 * kMs);
  EXPECT_EQ(rl.try_acquire(late), kT0 + 3 * kMs);
  EXPECT_EQ(rl.try_acquire(late), kT0 + 4 * kMs);
  EXPECT_EQ(rl.try_acquire(late), -1);
  EXPECT_EQ(rl.slots_taken(), 5u);
  EXPECT_EQ(clock.sleeps, 0);  // never blocks
}

TEST(RateLimiter, ZeroRateIsUnpaced) {
  FakeClock clock(kT0);
  RateLimiter rl(clock, 0);
  rl.start(kT0);
  EXPECT_EQ(rl.acquire(), kT0);
  clock.advance(123);
  EXPECT_EQ(rl.acquire(), kT0 + 123);  // "now", whatever the schedule
  EXPECT_EQ(rl.acquire(), kT0 + 123);
  EXPECT_EQ(clock.sleeps, 0);
  EXPECT_EQ(rl.try_acquire(kT0 + 999), kT0 + 999);
  EXPECT_EQ(rl.slots_taken(), 4u);
  EXPECT_EQ(rl.slot_time(1'000'000), kT0);
}

TEST(RateLimiter, NegativeRateIsUnpaced) {
  FakeClock clock(kT0);
  RateLimiter rl(clock, -5);
  rl.start(kT0);
  clock.advance(7);
  EXPECT_EQ(rl.acquire(), kT0 + 7);
  EXPECT_EQ(clock.sleeps, 0);
}

TEST(RateLimiter, RestartResetsTheSchedule) {
  FakeClock clock(kT0);
  RateLimiter rl(clock, 1000);
  rl.start(kT0);
  for (int i = 0; i < 5; ++i) rl.acquire();
  const int64_t t1 = kT0 + 100 * kMs;
  clock.set(t1);
  rl.start(t1);
  EXPECT_EQ(rl.slots_taken(), 0u);
  EXPECT_EQ(rl.acquire(), t1);
  EXPECT_EQ(rl.acquire(), t1 + kMs);
}

}  // namespace
}  // namespace hydra
