// The same-answers check: 1 vs N CPU threads everywhere (exactly equal), and
// CPU vs GPU where a GPU is usable (within the stated tolerances).
#include <gtest/gtest.h>

#include "agents/processing/same_answers.h"
#include "tests/processing/test_data.h"

namespace hydra {
namespace {

ProcessingConfig config(const std::string& kind, const std::string& device, int threads,
                        int batch) {
  ProcessingConfig cfg;
  cfg.kind = kind;
  cfg.device = device;
  cfg.threads = threads;
  cfg.batch = batch;
  cfg.window_ms = 20;
  cfg.key_slots = 1024;
  return cfg;
}

// 300 keys (some folding: 1024 slots, keys < 300), a record every 10 us, a
// late record now and then.
std::vector<SensorRecord> data(size_t n) {
  return testing::sensor_stream(n, 300, 10'000, 211, 45'000'000);
}

class SameAnswers : public ::testing::TestWithParam<std::string> {};

TEST_P(SameAnswers, CpuThreadsAgreeExactly) {
  const auto recs = data(60000);
  const std::vector<SensorRecord> few(recs.begin(), recs.begin() + 3000);
  for (int batch : {1, 777, 4096}) {
    const auto& in = batch == 1 ? few : recs;  // 2 pool handoffs per record: keep it short
    const auto r = check_same_answers(config(GetParam(), "cpu", 1, batch),
                                      config(GetParam(), "cpu", 4, batch), in);
    EXPECT_TRUE(r.same) << "batch " << batch << ": " << r.detail;
    EXPECT_EQ(r.max_score_diff, 0.0);
    EXPECT_EQ(r.max_moment_diff, 0.0);
    if (GetParam() == "mlp") {
      EXPECT_EQ(r.scores, in.size());
    } else if (GetParam() == "zscore") {
      if (batch != 1) {
        EXPECT_GT(r.anomalies, 0u);  // `few` ends inside the warm-up
      }
    } else {
      EXPECT_GT(r.windows, in.size() / 20);
    }
  }
}

TEST_P(SameAnswers, CpuAndGpuAgree) {
  std::string why;
  if (!gpu_available(&why)) GTEST_SKIP() << "no usable GPU: " << why;
  const auto recs = data(200000);
  const std::vector<SensorRecord> few(recs.begin(), recs.begin() + 3000);
  // 4096 fills the 4-slot ring many times over; 1 and 777 cut keys' runs
  // across batches in odd places.
  for (int batch : {1, 777, 4096, 65536}) {
    const auto r = check_same_answers(config(GetParam(), "cpu", 1, batch),
                                      config(GetParam(), "gpu", 1, batch), batch == 1 ? few : recs);
    EXPECT_TRUE(r.same) << "batch " << batch << ": " << r.detail;
    RecordProperty("max_score_diff_" + std::to_string(batch), std::to_string(r.max_score_diff));
    RecordProperty("max_moment_diff_" + std::to_string(batch), std::to_string(r.max_moment_diff));
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, SameAnswers, ::testing::Values("window-agg", "zscore", "mlp"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(CompareResults, ReportsDifferences) {
  ProcessingResults a, b;
  a.anomalies = {1, 5, 9};
  b.anomalies = {1, 5};
  a.scores = {0.5f, 0.25f};
  b.scores = {0.5f, 0.2501f};
  WindowSummary w;
  w.key = 3;
  w.count = 2;
  w.mean[0] = 1.0;
  a.windows = {w};
  w.mean[0] = 1.0 + 1e-12;  // within tolerance
  b.windows = {w};
  const auto r = compare_results(a, b);
  EXPECT_FALSE(r.same);
  EXPECT_NE(r.detail.find("anomalies"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("score 1"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("window"), std::string::npos) << r.detail;
  EXPECT_GT(r.max_moment_diff, 0.0);
  EXPECT_TRUE(compare_results(a, a).same);
}

}  // namespace
}  // namespace hydra
