// Per-second figures of a measured window, so a step with a fault timeline
// can show its dip and its recovery (docs/contracts.md "Fault timeline"). The
// agents count into them on their hot paths; the controller merges them
// (harness/fault_figures.h) and writes them into the step JSON.
//
// A second is keyed by the message's intended send time (its header) minus
// the window's start, the publisher's reset; `received` alone is keyed by
// the receive time, which is what shows a backlog draining. Buckets are a
// fixed array sized once when the window opens (no allocation per message);
// a time before the first second counts in it, one past the last in the last.
//
// Latency per second is a CoarseHistogram: 8 buckets per power of two from
// 1 us (values reported at the bucket's middle, within 6.25 %), small enough
// to keep one per second per client; the step's own latency figures still
// come from the full Histogram (common/histogram.h).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace hydra {

class CoarseHistogram {
 public:
  static constexpr int kSubBuckets = 8;
  static constexpr int kFirstOctave = 10;  // 2^10 ns ~ 1 us: everything below is bucket 0
  static constexpr int kOctaves = 32;      // up to 2^42 ns ~ 73 min
  static constexpr size_t kBuckets = 1 + size_t(kOctaves) * kSubBuckets;

  void record(int64_t value_ns) { ++counts_[index(value_ns)], ++count_; }
  CoarseHistogram& operator+=(const CoarseHistogram& o);
  uint64_t count() const { return count_; }
  // The value at percentile p (0..100), a bucket's middle; 0 when empty.
  int64_t percentile(double p) const;

  static size_t index(int64_t value_ns);
  static int64_t bucket_low(size_t i);
  static int64_t bucket_high(size_t i);  // exclusive

  // Sparse: [[bucket, count], ...].
  nlohmann::json to_json() const;
  // Throws std::invalid_argument on a malformed entry.
  static CoarseHistogram from_json(const nlohmann::json& j);

 private:
  std::array<uint32_t, kBuckets> counts_{};
  uint64_t count_ = 0;
};

// Where a window's per-second buckets start and how many there are.
struct SeriesSpan {
  int64_t from_ns = 0;  // wall ns of the window's start (the publisher's reset)
  int seconds = 0;      // 0: no series kept

  // The bucket of a wall-clock time, clamped to [0, seconds).
  size_t at(int64_t t_ns) const {
    const int64_t s = t_ns < from_ns ? 0 : (t_ns - from_ns) / 1'000'000'000;
    return size_t(s >= seconds ? seconds - 1 : s);
  }
  bool on() const { return seconds > 0; }
  nlohmann::json to_json() const { return {{"from_ns", from_ns}, {"seconds", seconds}}; }
  // Throws std::invalid_argument for a bad span (seconds outside 0..kMaxSeconds).
  static SeriesSpan from_json(const nlohmann::json& j);
  static constexpr int kMaxSeconds = 7200;
};

// The publisher's: messages sent, acknowledged and failed, by second of
// intended send time.
struct PublisherSeries {
  SeriesSpan span;
  std::vector<uint64_t> sent, acked, failed;

  void start(SeriesSpan s);
  PublisherSeries& operator+=(const PublisherSeries& o);
  nlohmann::json to_json() const;
  static PublisherSeries from_json(const nlohmann::json& j);
};

// One subscriber client's: distinct window messages, duplicates and latency
// by second of intended send time; everything received by second of receive
// time.
struct ClientSeries {
  SeriesSpan span;
  std::vector<uint64_t> unique, dups, received;
  std::vector<CoarseHistogram> latency;

  void start(SeriesSpan s);
  // Merges another client's (same span; a longer one's tail is kept).
  ClientSeries& operator+=(const ClientSeries& o);
  nlohmann::json to_json() const;
  static ClientSeries from_json(const nlohmann::json& j);
};

}  // namespace hydra
