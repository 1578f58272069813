// Wall-clock and CPU time sources shared by agents and controller.
//
// Latency is measured across processes (publisher stamps, subscriber reads), so
// every timestamp on the wire is CLOCK_REALTIME in ns since the Unix epoch.
// The Clock interface exists so that the rate limiter and anything else that
// schedules on time can be driven by a fake clock in tests.
#pragma once

#include <cstdint>
#include <ctime>

namespace hydra {

inline int64_t wall_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A clock the pacing code can sleep on. now() is wall-clock ns (the same
// timeline as the message header); sleep_until() may return early.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now() = 0;
  virtual void sleep_until(int64_t t_ns) = 0;
};

// The real one: CLOCK_REALTIME, clock_nanosleep with TIMER_ABSTIME.
class SystemClock final : public Clock {
 public:
  int64_t now() override { return wall_ns(); }
  void sleep_until(int64_t t_ns) override {
    timespec ts{time_t(t_ns / 1'000'000'000), long(t_ns % 1'000'000'000)};
    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr);
  }
};

}  // namespace hydra
