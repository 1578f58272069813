// Open-loop pacing: slot i is due at t0 + i / rate, on absolute time.
//
// The publisher asks for the next slot's intended time and sends no earlier.
// A late sender does not shift the schedule (it catches up by sending
// back-to-back), so latency measured from the intended time shows every stall:
// no coordinated omission. rate == 0 means unpaced: every slot is due "now".
#pragma once

#include <cstdint>

#include "clock.h"

namespace hydra {

class RateLimiter {
 public:
  // rate in messages per second; 0 = as fast as possible.
  RateLimiter(Clock& clock, double rate) : clock_(clock), rate_(rate) {}

  // Fixes t0; the first slot is due at t0.
  void start(int64_t t0_ns) {
    t0_ = t0_ns;
    next_ = 0;
  }

  // Intended time of slot `i` (ns). Computed from t0 each time, so no
  // floating error accumulates over a long run.
  int64_t slot_time(uint64_t i) const {
    if (rate_ <= 0) return t0_;
    return t0_ + int64_t(double(i) * 1e9 / rate_);
  }

  // Waits until the next slot is due and returns its intended time. Unpaced:
  // returns the current time without waiting.
  int64_t acquire() {
    if (rate_ <= 0) {
      ++next_;
      return clock_.now();
    }
    const int64_t due = slot_time(next_++);
    while (clock_.now() < due) clock_.sleep_until(due);
    return due;
  }

  // Non-blocking: the intended time of the next slot if it is due, else -1.
  // Lets a sender that also has other work (polling) interleave it.
  int64_t try_acquire(int64_t now_ns) {
    if (rate_ <= 0) {
      ++next_;
      return now_ns;
    }
    const int64_t due = slot_time(next_);
    if (now_ns < due) return -1;
    ++next_;
    return due;
  }

  uint64_t slots_taken() const { return next_; }
  double rate() const { return rate_; }

 private:
  Clock& clock_;
  double rate_;
  int64_t t0_ = 0;
  uint64_t next_ = 0;
};

}  // namespace hydra
