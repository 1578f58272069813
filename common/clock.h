// Wall-clock and CPU time sources shared by agents and controller.
//
// Latency is measured across processes (publisher stamps, subscriber reads), so
// every timestamp on the wire is CLOCK_REALTIME in ns since the Unix epoch.
// The Clock interface exists so that the rate limiter and anything else that
// schedules on time can be driven by a fake clock in tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace hydra {

// Added to every wall_ns() reading of this process; 0 unless set once at
// start-up. An agent on another host sets it to minus its clock's measured
// offset to the controller (so its send and receive stamps are on the
// controller's timeline and cross-host latencies come out right), and a test
// adds a made-up skew to it (hydra-agent --test-clock-offset-ms) to check
// that the offset is measured and corrected.
inline std::atomic<int64_t>& wall_offset_ns() {
  static std::atomic<int64_t> offset{0};
  return offset;
}

// The system's CLOCK_REALTIME, without the offset above.
inline int64_t system_wall_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t wall_ns() {
  return system_wall_ns() + wall_offset_ns().load(std::memory_order_relaxed);
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
    t_ns -= wall_offset_ns().load(std::memory_order_relaxed);  // back to the system's timeline
    timespec ts{time_t(t_ns / 1'000'000'000), long(t_ns % 1'000'000'000)};
    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr);
  }
};

}  // namespace hydra
