#include "common/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace hydra {
namespace {

constexpr int64_t kUs = 1'000;
constexpr int64_t kHour = 3'600'000'000'000;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Latency-like values: log-uniform between 1 µs and 1 h, so every magnitude of
// the contract's range is populated.
std::vector<int64_t> spread_values(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(std::log(double(kUs)), std::log(double(kHour)));
  std::vector<int64_t> v(n);
  for (auto& x : v) x = int64_t(std::exp(exponent(rng)));
  return v;
}

// The sample at percentile p of a sorted reference: the smallest rank r with
// r >= p% of n (1-based), the definition the histogram documents.
int64_t reference_percentile(const std::vector<int64_t>& sorted, double p) {
  const double exact = p / 100.0 * double(sorted.size());
  size_t rank = size_t(std::ceil(exact - exact * 1e-12));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Histogram roundtrip(const Histogram& h) {
  return Histogram::from_json(nlohmann::json::parse(h.to_json().dump()));
}

TEST(HistogramLayout, SmallValuesHaveTheirOwnBucket) {
  for (int64_t v = 0; v < 256; ++v) {
    const size_t i = Histogram::bucket_index(v);
    EXPECT_EQ(i, size_t(v));
    EXPECT_EQ(Histogram::bucket_lowest(i), v);
    EXPECT_EQ(Histogram::bucket_highest(i), v);
  }
}

TEST(HistogramLayout, BucketsTileTheWholeInt64Range) {
  const size_t n = Histogram::bucket_count();
  ASSERT_GT(n, 256u);
  EXPECT_EQ(Histogram::bucket_lowest(0), 0);
  EXPECT_EQ(Histogram::bucket_highest(n - 1), kInt64Max);
  EXPECT_EQ(Histogram::bucket_index(kInt64Max), n - 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t lo = Histogram::bucket_lowest(i);
    const int64_t hi = Histogram::bucket_highest(i);
    ASSERT_LE(lo, hi) << "bucket " << i;
    ASSERT_EQ(Histogram::bucket_index(lo), i) << "bucket " << i;
    ASSERT_EQ(Histogram::bucket_index(hi), i) << "bucket " << i;
    if (i > 0) {
      ASSERT_EQ(lo, Histogram::bucket_highest(i - 1) + 1) << "bucket " << i;
    }
  }
}

TEST(HistogramLayout, RelativeErrorUnderOnePercentFromOneMicrosecondToOneHourAndBeyond) {
  const size_t first = Histogram::bucket_index(kUs);
  const size_t last = Histogram::bucket_index(kHour);
  ASSERT_LT(last, Histogram::bucket_count() - 1) << "1 h must be well inside the range";
  double worst = 0;
  for (size_t i = first; i < Histogram::bucket_count(); ++i) {
    const double lo = double(Histogram::bucket_lowest(i));
    const double hi = double(Histogram::bucket_highest(i));
    // Any value in the bucket is reported within (hi - lo) of itself.
    worst = std::max(worst, (hi - lo) / lo);
  }
  EXPECT_LT(worst, 0.01);
  EXPECT_LE(worst, 1.0 / 128);
}

TEST(HistogramLayout, NegativeValuesMapToBucketZero) {
  EXPECT_EQ(Histogram::bucket_index(-1), 0u);
  EXPECT_EQ(Histogram::bucket_index(std::numeric_limits<int64_t>::min()), 0u);
}

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.clamped(), 0u);
  EXPECT_EQ(h.percentile(0), 0);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(h.percentile(100), 0);
  int calls = 0;
  h.for_each_bucket([&](int64_t, int64_t, uint64_t) { ++calls; });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(roundtrip(h), h);
  EXPECT_EQ(h, Histogram());
}

TEST(Histogram, RecordTracksCountMinMaxMean) {
  Histogram h;
  h.record(5'000);
  h.record(1'000);
  h.record(3'000);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.min(), 1'000);
  EXPECT_EQ(h.max(), 5'000);
  EXPECT_DOUBLE_EQ(h.mean(), 3'000.0);
  EXPECT_EQ(h.clamped(), 0u);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 1; v <= 200; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 100);
  EXPECT_EQ(h.percentile(90), 180);
  EXPECT_EQ(h.percentile(99.5), 199);
  EXPECT_EQ(h.percentile(0), 1);
  EXPECT_EQ(h.percentile(100), 200);
}

// "The smallest value v such that at least p % of samples are <= v."
TEST(Histogram, PercentileIsSmallestValueCoveringP) {
  Histogram h;
  h.record(10);
  h.record(20);
  h.record(30);
  EXPECT_EQ(h.percentile(33), 10);  // 1 of 3 = 33.3 % >= 33 %
  EXPECT_EQ(h.percentile(34), 20);  // needs 2 samples
  EXPECT_EQ(h.percentile(40), 20);
  EXPECT_EQ(h.percentile(66.6), 20);  // 2 of 3 = 66.67 %
  EXPECT_EQ(h.percentile(66.7), 30);

  // Decimal percentiles that are not exact in binary still land on their rank.
  Histogram k;
  for (int64_t v = 1; v <= 1000; ++v) k.record(v);
  EXPECT_EQ(k.percentile(99.9), 999);
  EXPECT_EQ(k.percentile(0.1), 1);
  EXPECT_EQ(k.percentile(0.2), 2);
}

TEST(Histogram, NegativeValuesAreClampedToZeroAndCounted) {
  Histogram h;
  h.record(-5);
  h.record_n(-7, 3);
  h.record(10);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.clamped(), 4u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 10);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_DOUBLE_EQ(h.mean(), 2.0);
}

TEST(Histogram, RecordNEqualsRepeatedRecord) {
  Histogram a, b;
  a.record_n(123'456, 7);
  a.record_n(99, 0);  // no-op, must not touch min
  for (int i = 0; i < 7; ++i) b.record(123'456);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.min(), 123'456);
}

TEST(Histogram, PercentilesMatchSortedReferenceWithinOnePercent) {
  auto values = spread_values(200'000, 42);
  Histogram h;
  for (int64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());
  for (double p : {0.001, 0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 99.999}) {
    const int64_t ref = reference_percentile(values, p);
    const int64_t got = h.percentile(p);
    EXPECT_LE(std::abs(double(got - ref)) / double(ref), 0.01)
        << "p" << p << " got " << got << " want " << ref;
    // Reported as the bucket's upper bound: never below the true sample.
    EXPECT_GE(got, ref) << "p" << p;
  }
  EXPECT_EQ(h.percentile(0), values.front());
  EXPECT_EQ(h.percentile(100), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
}

TEST(Histogram, PercentilesAreMonotonic) {
  Histogram h;
  for (int64_t v : spread_values(10'000, 3)) h.record(v);
  int64_t prev = h.percentile(0);
  for (double p = 0.5; p <= 100; p += 0.5) {
    const int64_t cur = h.percentile(p);
    EXPECT_GE(cur, prev) << "p" << p;
    prev = cur;
  }
}

TEST(Histogram, OutOfRangePercentilesClamp) {
  Histogram h;
  h.record(1'000);
  h.record(2'000'000);
  EXPECT_EQ(h.percentile(-10), 1'000);
  EXPECT_EQ(h.percentile(250), 2'000'000);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  const auto values = spread_values(50'000, 7);
  Histogram all;
  Histogram parts[4];
  for (size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    parts[i % 4].record(values[i]);
  }
  parts[2].record(-1);
  all.record(-1);
  Histogram merged;
  for (const auto& p : parts) merged += p;
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.clamped(), 1u);
  EXPECT_EQ(merged.min(), 0);
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(merged.percentile(p), all.percentile(p));
}

TEST(Histogram, MergeWithEmptyIsIdentity) {
  Histogram h;
  h.record(500);
  h.record(70'000);
  const Histogram before = h;
  h += Histogram();
  EXPECT_EQ(h, before);
  Histogram empty;
  empty += before;
  EXPECT_EQ(empty, before);
  EXPECT_EQ(empty.min(), 500);  // an empty histogram's min must not leak in
}

TEST(Histogram, ResetEqualsFresh) {
  Histogram h;
  h.record(-3);
  h.record(123'456'789);
  h.reset();
  EXPECT_EQ(h, Histogram());
  h.record(42);
  EXPECT_EQ(h.min(), 42);
  EXPECT_EQ(h.max(), 42);
}

TEST(Histogram, ForEachBucketVisitsNonEmptyBucketsAscending) {
  Histogram h;
  h.record(3);
  h.record(3);
  h.record(1'000'000);
  h.record(300);
  std::vector<std::tuple<int64_t, int64_t, uint64_t>> seen;
  h.for_each_bucket([&](int64_t lo, int64_t hi, uint64_t n) { seen.emplace_back(lo, hi, n); });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_tuple(int64_t(3), int64_t(3), uint64_t(2)));
  EXPECT_EQ(std::get<0>(seen[1]), 300);  // 300 >> 1 << 1
  EXPECT_EQ(std::get<1>(seen[1]), 301);
  EXPECT_LE(std::get<0>(seen[2]), 1'000'000);
  EXPECT_GE(std::get<1>(seen[2]), 1'000'000);
  EXPECT_EQ(std::get<2>(seen[2]), 1u);
}

TEST(HistogramJson, RoundTripIsLossless) {
  Histogram h;
  for (int64_t v : spread_values(20'000, 11)) h.record(v);
  h.record(-9);
  h.record(0);
  const Histogram back = roundtrip(h);
  EXPECT_EQ(back, h);
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.clamped(), h.clamped());
  EXPECT_EQ(back.min(), h.min());
  EXPECT_EQ(back.max(), h.max());
  EXPECT_EQ(back.mean(), h.mean());
  for (double p = 0; p <= 100; p += 0.25) EXPECT_EQ(back.percentile(p), h.percentile(p));
  // Still mergeable after the trip.
  Histogram twice = back;
  twice += h;
  EXPECT_EQ(twice.count(), 2 * h.count());
}

TEST(HistogramJson, FormatIsSparseAndVersioned) {
  Histogram h;
  h.record(7);
  h.record(7);
  h.record(1'000'000);
  const auto j = h.to_json();
  EXPECT_EQ(j.at("v"), 1);
  EXPECT_EQ(j.at("sub_bucket_bits"), Histogram::kSubBucketBits);
  EXPECT_EQ(j.at("count"), 3);
  EXPECT_EQ(j.at("clamped"), 0);
  EXPECT_EQ(j.at("min"), 7);
  EXPECT_EQ(j.at("max"), 1'000'000);
  EXPECT_EQ(j.at("sum"), "1000014");
  const auto& b = j.at("buckets");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0], nlohmann::json::array({7, 2}));
  EXPECT_EQ(b[1][0], Histogram::bucket_index(1'000'000));
  EXPECT_EQ(b[1][1], 1);
}

TEST(HistogramJson, SumIsExactBeyondDoublePrecision) {
  Histogram h;
  h.record(kInt64Max);
  h.record(1);
  h.record(kInt64Max);
  // 2 * (2^63 - 1) + 1 = 2^64 - 1: needs all 64 bits, more than a double has.
  EXPECT_EQ(h.to_json().at("sum"), "18446744073709551615");
  const Histogram back = roundtrip(h);
  EXPECT_EQ(back, h);
  EXPECT_EQ(back.to_json().at("sum"), "18446744073709551615");
}

// A valid document to break one field at a time.
nlohmann::json valid_doc() {
  Histogram h;
  h.record(10);
  h.record(20);
  h.record(5'000);
  return h.to_json();
}

void expect_rejected(const nlohmann::json& j, const std::string& mentions) {
  try {
    Histogram::from_json(j);
    ADD_FAILURE() << "accepted " << j.dump();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos)
        << "message \"" << e.what() << "\" should mention \"" << mentions << "\"";
  }
}

TEST(HistogramJson, ValidDocumentIsAccepted) {
  EXPECT_NO_THROW(Histogram::from_json(valid_doc()));
}

TEST(HistogramJson, RejectsMalformedInput) {
  expect_rejected(nlohmann::json::array(), "object");
  expect_rejected(nlohmann::json("x"), "object");

  auto j = valid_doc();
  j["v"] = 2;
  expect_rejected(j, "version");
  j = valid_doc();
  j.erase("v");
  expect_rejected(j, "\"v\"");
  j = valid_doc();
  j["sub_bucket_bits"] = 7;
  expect_rejected(j, "sub_bucket_bits");
  j = valid_doc();
  j.erase("buckets");
  expect_rejected(j, "buckets");
  j = valid_doc();
  j["count"] = -3;
  expect_rejected(j, "count");
  j = valid_doc();
  j["count"] = 4;
  expect_rejected(j, "sum to 3");
  j = valid_doc();
  j["count"] = "3";
  expect_rejected(j, "count");
  j = valid_doc();
  j["clamped"] = 4;
  expect_rejected(j, "clamped");
  j = valid_doc();
  j["buckets"].push_back({Histogram::bucket_count(), 1});
  j["count"] = 4;
  expect_rejected(j, "out of range");
  j = valid_doc();
  j["buckets"][0][0] = -1;
  expect_rejected(j, "bucket index");
  j = valid_doc();
  std::swap(j["buckets"][0], j["buckets"][1]);
  expect_rejected(j, "ascending");
  j = valid_doc();
  j["buckets"][1] = j["buckets"][0];
  expect_rejected(j, "ascending");
  j = valid_doc();
  j["buckets"][0] = {10};
  expect_rejected(j, "[index, count]");
  j = valid_doc();
  j["buckets"][0][1] = 0;
  j["count"] = 2;
  expect_rejected(j, "count 0");
  j = valid_doc();
  j["sum"] = 5030;
  expect_rejected(j, "sum");
  j = valid_doc();
  j["sum"] = "-5";
  expect_rejected(j, "sum");
  j = valid_doc();
  j["sum"] = "12abc";
  expect_rejected(j, "sum");
  j = valid_doc();
  j["min"] = 6'000;
  expect_rejected(j, "min");
  j = valid_doc();
  j["min"] = 11;  // not in bucket 10
  expect_rejected(j, "min/max");
  j = valid_doc();
  j["max"] = 100'000;
  expect_rejected(j, "min/max");
  j = valid_doc();
  j["min"] = -1;
  expect_rejected(j, "min");
}

TEST(HistogramJson, RejectsEmptyWithStrayFields) {
  auto j = Histogram().to_json();
  EXPECT_NO_THROW(Histogram::from_json(j));
  j["max"] = 5;
  expect_rejected(j, "empty");
  j = Histogram().to_json();
  j["sum"] = "5";
  expect_rejected(j, "empty");
}

}  // namespace
}  // namespace hydra
