// Log-linear bucketing (HdrHistogram's layout with one sub-bucket magnitude):
//
//   shift(v) = bit_width(v >> kSubBucketBits)        0 for v < 256
//   index(v) = shift * 128 + (v >> shift)
//
// For v < 256 the index is v itself (exact). For v in [2^e, 2^(e+1)), e >= 8,
// shift = e - 7 and v >> shift lies in [128, 256), so each power of two gets
// 128 buckets of width 2^shift whose lowest value is at least 128 * 2^shift:
// the width is at most 1/128 (0.78 %) of any value in the bucket. INT64_MAX
// has shift 55, so the last index is 55 * 128 + 255.
#include "common/histogram.h"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace hydra {

namespace {

constexpr int kHalf = 1 << (Histogram::kSubBucketBits - 1);  // 128 sub-buckets per power of two
constexpr int kMaxShift = 63 - Histogram::kSubBucketBits;    // shift of INT64_MAX
constexpr size_t kBucketCount = size_t(kMaxShift) * kHalf + (2 * kHalf);
constexpr int64_t kEmptyMin = std::numeric_limits<int64_t>::max();
constexpr int kJsonVersion = 1;

inline size_t index_of(uint64_t v) {
  const unsigned shift = unsigned(std::bit_width(v >> Histogram::kSubBucketBits));
  return (size_t(shift) << (Histogram::kSubBucketBits - 1)) + size_t(v >> shift);
}

// The sum is a long double holding an integer (exact up to 2^64); "%.0Lf"
// prints its exact decimal value and strtold reads it back to the same value.
std::string sum_to_string(long double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0Lf", s);
  return buf;
}

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("histogram json: " + what);
}

const nlohmann::json& field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) bad(std::string("missing \"") + key + "\"");
  return *it;
}

uint64_t as_u64(const nlohmann::json& v, const std::string& what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    const int64_t s = v.get<int64_t>();
    if (s >= 0) return uint64_t(s);
  }
  bad(what + " must be a non-negative integer, got " + v.dump());
}

int64_t as_i64(const nlohmann::json& v, const std::string& what) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u <= uint64_t(std::numeric_limits<int64_t>::max())) return int64_t(u);
  } else if (v.is_number_integer()) {
    return v.get<int64_t>();
  }
  bad(what + " must be an int64, got " + v.dump());
}

}  // namespace

Histogram::Histogram() : counts_(kBucketCount, 0), min_(kEmptyMin) {}

size_t Histogram::bucket_count() {
  return kBucketCount;
}

size_t Histogram::bucket_index(int64_t value) {
  return index_of(uint64_t(std::max<int64_t>(value, 0)));
}

int64_t Histogram::bucket_lowest(size_t index) {
  if (index < size_t(2 * kHalf)) return int64_t(index);
  const size_t shift = index / kHalf - 1;
  return int64_t(uint64_t(index - shift * kHalf) << shift);
}

int64_t Histogram::bucket_highest(size_t index) {
  if (index < size_t(2 * kHalf)) return int64_t(index);
  const size_t shift = index / kHalf - 1;
  // lowest + 2^shift - 1, computed without overflowing at the last bucket.
  return bucket_lowest(index) + int64_t((uint64_t(1) << shift) - 1);
}

void Histogram::record(int64_t value) {
  if (value < 0) [[unlikely]] {
    value = 0;
    ++clamped_;
  }
  ++counts_[index_of(uint64_t(value))];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void Histogram::record_n(int64_t value, uint64_t n) {
  if (n == 0) return;
  if (value < 0) {
    value = 0;
    clamped_ += n;
  }
  counts_[index_of(uint64_t(value))] += n;
  count_ += n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value) * static_cast<long double>(n);
}

Histogram& Histogram::operator+=(const Histogram& other) {
  if (other.count_ == 0) return *this;
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  clamped_ += other.clamped_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  return *this;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  clamped_ = 0;
  min_ = kEmptyMin;
  max_ = 0;
  sum_ = 0;
}

int64_t Histogram::min() const {
  return count_ == 0 ? 0 : min_;
}
int64_t Histogram::max() const {
  return count_ == 0 ? 0 : max_;
}
double Histogram::mean() const {
  return count_ == 0 ? 0.0 : double(sum_ / count_);
}

int64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0)) return min_;  // also NaN
  if (p >= 100) return max_;
  // The rank of the sample at p: the smallest r with r >= p% of count. The
  // tiny relative slack keeps p = 99.9 of 1000 at rank 999 despite rounding.
  const double exact = p / 100.0 * double(count_);
  uint64_t rank = uint64_t(std::ceil(exact - exact * 1e-12));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_highest(i), min_, max_);
  }
  return max_;  // unreachable while counts_ sum to count_
}

void Histogram::for_each_bucket(const std::function<void(int64_t, int64_t, uint64_t)>& fn) const {
  if (count_ == 0) return;
  for (size_t i = index_of(uint64_t(min_)); i <= index_of(uint64_t(max_)); ++i) {
    if (counts_[i] != 0) fn(bucket_lowest(i), bucket_highest(i), counts_[i]);
  }
}

nlohmann::json Histogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  if (count_ != 0) {
    for (size_t i = index_of(uint64_t(min_)); i <= index_of(uint64_t(max_)); ++i) {
      if (counts_[i] != 0) buckets.push_back(nlohmann::json::array({uint64_t(i), counts_[i]}));
    }
  }
  return nlohmann::json{{"v", kJsonVersion},
                        {"sub_bucket_bits", kSubBucketBits},
                        {"count", count_},
                        {"clamped", clamped_},
                        {"min", min()},
                        {"max", max()},
                        {"sum", sum_to_string(sum_)},
                        {"buckets", std::move(buckets)}};
}

Histogram Histogram::from_json(const nlohmann::json& j) {
  if (!j.is_object()) bad("expected an object, got " + std::string(j.type_name()));
  const auto& v = field(j, "v");
  if (!v.is_number_integer() || v.get<int64_t>() != kJsonVersion)
    bad("unsupported version " + v.dump() + " (expected " + std::to_string(kJsonVersion) + ")");
  const auto& bits = field(j, "sub_bucket_bits");
  if (!bits.is_number_integer() || bits.get<int64_t>() != kSubBucketBits)
    bad("sub_bucket_bits " + bits.dump() + " (expected " + std::to_string(kSubBucketBits) + ")");

  Histogram h;
  const uint64_t count = as_u64(field(j, "count"), "count");
  const uint64_t clamped = as_u64(field(j, "clamped"), "clamped");
  const int64_t mn = as_i64(field(j, "min"), "min");
  const int64_t mx = as_i64(field(j, "max"), "max");
  if (clamped > count)
    bad("clamped " + std::to_string(clamped) + " exceeds count " + std::to_string(count));
  if (mn < 0 || mx < mn)
    bad("min " + std::to_string(mn) + " / max " + std::to_string(mx) + " (need 0 <= min <= max)");
  if (count == 0 && (mn != 0 || mx != 0)) bad("empty histogram with non-zero min/max");

  const auto& sum = field(j, "sum");
  if (!sum.is_string()) bad("sum must be a decimal string, got " + sum.dump());
  const auto& s = sum.get_ref<const std::string&>();
  if (s.empty() || s.size() > 40 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    bad("sum must be a non-negative decimal integer string, got \"" + s + "\"");
  const long double sum_value = std::strtold(s.c_str(), nullptr);
  if (count == 0 && sum_value != 0) bad("empty histogram with non-zero sum");

  const auto& buckets = field(j, "buckets");
  if (!buckets.is_array()) bad("buckets must be an array");
  uint64_t total = 0;
  size_t first = kBucketCount, last = 0;
  bool have_prev = false;
  size_t prev = 0;
  for (const auto& b : buckets) {
    if (!b.is_array() || b.size() != 2) bad("bucket " + b.dump() + " is not [index, count]");
    const uint64_t index = as_u64(b[0], "bucket index");
    if (index >= kBucketCount)
      bad("bucket index " + std::to_string(index) + " out of range (< " +
          std::to_string(kBucketCount) + ")");
    if (have_prev && index <= prev)
      bad("bucket indices not strictly ascending at " + std::to_string(index));
    const uint64_t n = as_u64(b[1], "bucket count");
    if (n == 0) bad("bucket " + std::to_string(index) + " has count 0");
    if (total + n < total) bad("bucket counts overflow");
    total += n;
    h.counts_[index] = n;
    first = std::min<size_t>(first, index);
    last = index;
    prev = index;
    have_prev = true;
  }
  if (total != count)
    bad("bucket counts sum to " + std::to_string(total) + ", not count " + std::to_string(count));
  if (count != 0 && (index_of(uint64_t(mn)) != first || index_of(uint64_t(mx)) != last))
    bad("min/max do not fall in the first/last non-empty bucket");

  h.count_ = count;
  h.clamped_ = clamped;
  h.min_ = count == 0 ? kEmptyMin : mn;
  h.max_ = mx;
  h.sum_ = sum_value;
  return h;
}

bool Histogram::operator==(const Histogram& other) const {
  return count_ == other.count_ && clamped_ == other.clamped_ && min() == other.min() &&
         max() == other.max() && sum_ == other.sum_ && counts_ == other.counts_;
}

}  // namespace hydra
