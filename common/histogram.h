// A mergeable log-linear (HDR-style) histogram of non-negative int64 values,
// used for every latency Hydra records (values in ns).
//
// Why hand-written: Debian ships no HdrHistogram for C/C++. Values below
// 2^kSubBucketBits are exact; above, each power of two is split into
// 2^(kSubBucketBits-1) equal sub-buckets, so any recorded value is reported
// with a relative error under 1 % (bounded by 2^-(kSubBucketBits-1)). The range
// covers 0 .. INT64_MAX (far beyond the 1 hour the contract asks for).
//
// Threading: not thread-safe. Each recording thread owns one; collection
// merges with +=. Percentiles come only from (merged) histograms, never from
// averaging percentiles.
//
// Serialization is lossless: to_json() / from_json() round-trip every bucket
// count, min, max, count and sum exactly (stats replies carry histograms, not
// percentiles).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace hydra {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 8;

  Histogram();

  // Records one value. Negative values (clock skew between hosts) are clamped
  // to 0 and counted in clamped().
  void record(int64_t value);
  void record_n(int64_t value, uint64_t n);

  Histogram& operator+=(const Histogram& other);
  void reset();

  uint64_t count() const { return count_; }
  int64_t min() const;  // 0 when empty
  int64_t max() const;  // 0 when empty
  double mean() const;  // 0 when empty
  uint64_t clamped() const { return clamped_; }

  // Value at percentile p in [0, 100]: the smallest recorded bucket value v
  // such that at least p % of samples are <= v's bucket. Reported as the
  // bucket's upper bound, clamped to [min(), max()] so p100 == max() exactly.
  // 0 when empty.
  int64_t percentile(double p) const;

  // Calls fn(lowest, highest, count) for every non-empty bucket, ascending.
  void for_each_bucket(const std::function<void(int64_t, int64_t, uint64_t)>& fn) const;

  nlohmann::json to_json() const;
  // Throws std::invalid_argument with a message on malformed input.
  static Histogram from_json(const nlohmann::json& j);

  bool operator==(const Histogram& other) const;

  // Bucket index of a value and the value range a bucket covers (exposed for
  // tests and the .hgrm writer).
  static size_t bucket_index(int64_t value);
  static int64_t bucket_lowest(size_t index);
  static int64_t bucket_highest(size_t index);
  static size_t bucket_count();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  long double sum_ = 0;  // for mean(); serialized exactly as a decimal string
};

}  // namespace hydra
