// Batching (full, linger by injected time, drain), the batch_fill histogram,
// stats reset and merge, on the CPU path.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agents/processing/processor.h"
#include "common/clock.h"
#include "tests/processing/test_data.h"

namespace hydra {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000'000;
constexpr int64_t kMs = 1'000'000;

std::unique_ptr<Processor> make(const std::string& kind, int batch, double linger_ms) {
  ProcessingConfig cfg;
  cfg.kind = kind;
  cfg.batch = batch;
  cfg.linger_ms = linger_ms;
  return make_processor(cfg);
}

TEST(Batching, FlushesWhenFull) {
  auto p = make("zscore", 8, 1e6);
  const auto recs = testing::sensor_stream(20, 3);
  for (const auto& r : recs) p->submit(r, kT0, kT0);
  auto s = p->take_stats(false);
  EXPECT_EQ(s.batches, 2u);
  EXPECT_EQ(s.flush_full, 2u);
  EXPECT_EQ(s.records, 16u);  // the last 4 are still buffered
  EXPECT_TRUE(p->drain());
  s = p->take_stats(false);
  EXPECT_EQ(s.batches, 3u);
  EXPECT_EQ(s.flush_drain, 1u);
  EXPECT_EQ(s.records, 20u);
  EXPECT_EQ(s.results, 20u);
  // batch_fill: 8, 8, 4.
  EXPECT_EQ(s.batch_fill.count(), 3u);
  EXPECT_EQ(s.batch_fill.min(), 4);
  EXPECT_EQ(s.batch_fill.max(), 8);
  EXPECT_EQ(s.added_latency.count(), 20u);
  EXPECT_EQ(s.e2e_latency.count(), 20u);
}

TEST(Batching, FlushesOnLingerInPoll) {
  auto p = make("mlp", 100, 2.0);
  const auto recs = testing::sensor_stream(3, 3);
  for (int i = 0; i < 3; ++i) p->submit(recs[size_t(i)], kT0 + i * 100'000, kT0);
  p->poll(kT0 + 1 * kMs);  // oldest is 1 ms old: keep waiting
  EXPECT_EQ(p->take_stats(false).batches, 0u);
  p->poll(kT0 + 2 * kMs);  // 2 ms: flush
  const auto s = p->take_stats(false);
  EXPECT_EQ(s.batches, 1u);
  EXPECT_EQ(s.flush_linger, 1u);
  EXPECT_EQ(s.records, 3u);
  EXPECT_EQ(s.batch_fill.max(), 3);
  p->poll(kT0 + 10 * kMs);  // nothing buffered: nothing happens
  EXPECT_EQ(p->take_stats(false).batches, 1u);
}

TEST(Batching, FlushesOnLingerInSubmit) {
  // A record arriving when the buffered one is linger_ms old flushes both.
  auto p = make("zscore", 100, 2.0);
  const auto recs = testing::sensor_stream(2, 1);
  p->submit(recs[0], kT0, kT0);
  p->submit(recs[1], kT0 + 3 * kMs, kT0);
  const auto s = p->take_stats(false);
  EXPECT_EQ(s.flush_linger, 1u);
  EXPECT_EQ(s.records, 2u);
}

TEST(Batching, ZeroLingerProcessesEveryRecord) {
  auto p = make("zscore", 100, 0);
  for (const auto& r : testing::sensor_stream(5, 1)) p->submit(r, kT0, kT0);
  EXPECT_EQ(p->take_stats(false).batches, 5u);
}

TEST(Batching, LatenciesAreMeasuredFromReceiveAndIntendedSend) {
  // Results are ready at the wall clock's now; received 5 ms ago, meant to be
  // sent 15 ms ago.
  auto p = make("zscore", 4, 1e6);
  const int64_t recv = wall_ns() - 5 * kMs;
  for (const auto& r : testing::sensor_stream(4, 2)) p->submit(r, recv, recv - 10 * kMs);
  const auto s = p->take_stats(false);
  ASSERT_EQ(s.added_latency.count(), 4u);
  EXPECT_GE(s.added_latency.min(), 5 * kMs * 99 / 100);  // histogram resolution: < 1 %
  EXPECT_LT(s.added_latency.max(), 1000 * kMs);
  EXPECT_GE(s.e2e_latency.min(), 15 * kMs * 99 / 100);
  EXPECT_GE(s.e2e_latency.min(), s.added_latency.min());
}

// The GPU path batches the same way; its stats count a batch once harvested.
class GpuBatching : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!gpu_available(&why)) GTEST_SKIP() << "no usable GPU: " << why;
  }
  static std::unique_ptr<Processor> make_gpu(const std::string& kind, int batch, double linger_ms) {
    ProcessingConfig cfg;
    cfg.kind = kind;
    cfg.device = "gpu";
    cfg.batch = batch;
    cfg.linger_ms = linger_ms;
    return make_processor(cfg);
  }
};

TEST_F(GpuBatching, FullBatchesThenDrain) {
  for (const char* kind : {"window-agg", "zscore", "mlp"}) {
    auto p = make_gpu(kind, 8, 1e6);
    for (const auto& r : testing::sensor_stream(44, 3)) p->submit(r, kT0, kT0);  // 5 full + 4
    EXPECT_TRUE(p->drain(30000)) << kind;
    const auto s = p->take_stats(false);
    EXPECT_EQ(s.batches, 6u) << kind;
    EXPECT_EQ(s.flush_full, 5u) << kind;
    EXPECT_EQ(s.flush_drain, 1u) << kind;
    EXPECT_EQ(s.records, 44u) << kind;
    EXPECT_EQ(s.batch_fill.min(), 4) << kind;
    EXPECT_EQ(s.added_latency.count(), 44u) << kind;
    EXPECT_GT(s.cpu_ns, 0u) << kind;
  }
}

TEST_F(GpuBatching, LingerFlushesOnPoll) {
  auto p = make_gpu("zscore", 100, 2.0);
  const auto recs = testing::sensor_stream(3, 3);
  for (int i = 0; i < 3; ++i) p->submit(recs[size_t(i)], kT0 + i * 100'000, kT0);
  p->poll(kT0 + 1 * kMs);
  EXPECT_TRUE(p->drain(30000) && p->take_stats(false).flush_linger == 0)
      << "nothing should have lingered out yet";
  // drain flushed the 3 records; now a linger flush by injected time:
  for (int i = 0; i < 3; ++i) p->submit(recs[size_t(i)], kT0 + 10 * kMs, kT0);
  p->poll(kT0 + 12 * kMs);
  EXPECT_TRUE(p->drain(30000));
  const auto s = p->take_stats(false);
  EXPECT_EQ(s.flush_linger, 1u);
  EXPECT_EQ(s.flush_drain, 1u);
  EXPECT_EQ(s.records, 6u);
}

TEST(Stats, ResetClearsEverything) {
  auto p = make("zscore", 4, 1e6);
  for (const auto& r : testing::sensor_stream(10, 2)) p->submit(r, kT0, kT0);
  const auto before = p->take_stats(true);
  EXPECT_EQ(before.records, 8u);
  const auto after = p->take_stats(false);
  EXPECT_EQ(after.records, 0u);
  EXPECT_EQ(after.batches, 0u);
  EXPECT_EQ(after.flush_full, 0u);
  EXPECT_EQ(after.batch_fill.count(), 0u);
  EXPECT_EQ(after.added_latency.count(), 0u);
  // The 2 buffered records survive the reset and count once processed.
  EXPECT_TRUE(p->drain());
  EXPECT_EQ(p->take_stats(false).records, 2u);
}

TEST(Stats, MergeAddsCountersAndHistograms) {
  ProcessingStats a, b;
  a.records = 3;
  a.cpu_ns = 10;
  a.added_latency.record(5);
  b.records = 4;
  b.anomalies = 1;
  b.added_latency.record(7);
  b.batch_fill.record(4);
  a += b;
  EXPECT_EQ(a.records, 7u);
  EXPECT_EQ(a.anomalies, 1u);
  EXPECT_EQ(a.cpu_ns, 10u);
  EXPECT_EQ(a.added_latency.count(), 2u);
  EXPECT_EQ(a.added_latency.max(), 7);
  EXPECT_EQ(a.batch_fill.count(), 1u);
}

TEST(Stats, JsonRoundTripsLosslessly) {
  ProcessingStats s;
  s.records = 12;
  s.batches = 3;
  s.results = 2;
  s.anomalies = 1;
  s.late = 4;
  s.flush_full = 1;
  s.flush_linger = 1;
  s.flush_drain = 1;
  s.cpu_ns = 123456789;
  s.added_latency.record(1000);
  s.added_latency.record(2'000'000);
  s.e2e_latency.record(3'000'000);
  s.batch_fill.record(4096);
  const auto back = ProcessingStats::from_json(s.to_json());
  EXPECT_EQ(back.to_json(), s.to_json());
  EXPECT_EQ(back.late, 4u);
  EXPECT_TRUE(back.added_latency == s.added_latency);
  EXPECT_THROW(ProcessingStats::from_json(nlohmann::json{{"records", 1}}), std::invalid_argument);
}

TEST(KindNone, OnlyCounts) {
  auto p = make("none", 4, 1);
  for (const auto& r : testing::sensor_stream(10, 2)) p->submit(r, kT0, kT0);
  p->poll(kT0 + 100 * kMs);
  EXPECT_TRUE(p->drain());
  const auto s = p->take_stats(false);
  EXPECT_EQ(s.records, 10u);
  EXPECT_EQ(s.batches, 0u);
  EXPECT_EQ(s.added_latency.count(), 0u);
  EXPECT_EQ(p->device_name(), "none");
}

}  // namespace
}  // namespace hydra
