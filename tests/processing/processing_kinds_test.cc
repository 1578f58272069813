// Each kind's CPU result against a plain reference implementation written
// straight from the kind's definition (processor.h), on small data.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "agents/processing/kinds.h"
#include "agents/processing/processor.h"
#include "tests/processing/test_data.h"

namespace hydra {
namespace {

using testing::sensor_stream;

ProcessingResults run(const std::string& kind, int threads, int batch,
                      const std::vector<SensorRecord>& recs, ProcessingStats* stats = nullptr,
                      int window_ms = 1000, int key_slots = 16384) {
  ProcessingConfig cfg;
  cfg.kind = kind;
  cfg.threads = threads;
  cfg.batch = batch;
  cfg.linger_ms = 1e9;
  cfg.window_ms = window_ms;
  cfg.key_slots = key_slots;
  cfg.keep_results = true;
  auto p = make_processor(cfg);
  for (const auto& r : recs) p->submit(r, 0, 0);
  EXPECT_TRUE(p->drain());
  if (stats != nullptr) *stats = p->take_stats(false);
  return p->take_results();
}

// ---- zscore ----

std::vector<uint64_t> reference_zscore(const std::vector<SensorRecord>& recs, uint32_t slots) {
  struct S {
    uint64_t n = 0;
    double mean[kSensorChannels] = {}, m2[kSensorChannels] = {};
  };
  std::map<uint32_t, S> state;
  std::vector<uint64_t> flagged;
  for (size_t i = 0; i < recs.size(); ++i) {
    S& s = state[recs[i].key % slots];
    bool flag = false;
    for (int c = 0; c < kSensorChannels; ++c) {
      const double x = recs[i].channels[c];
      if (s.n >= 30) {
        const double sd = std::sqrt(s.m2[c] / double(s.n - 1));
        if (std::fabs((x - s.mean[c]) / sd) > 3) flag = true;
      }
    }
    s.n += 1;
    for (int c = 0; c < kSensorChannels; ++c) {
      const double x = recs[i].channels[c];
      const double d = x - s.mean[c];
      s.mean[c] += d / double(s.n);
      s.m2[c] += d * (x - s.mean[c]);
    }
    if (flag) flagged.push_back(i);
  }
  return flagged;
}

TEST(ZScore, MatchesReferenceAndFindsThePlantedOutliers) {
  const auto recs = sensor_stream(30000, 5);
  const auto ref = reference_zscore(recs, 16384);
  ProcessingStats stats;
  for (int threads : {1, 3}) {
    const auto got = run("zscore", threads, 1000, recs, &stats);
    EXPECT_EQ(got.anomalies, ref) << threads << " threads";
    EXPECT_EQ(stats.anomalies, ref.size());
    EXPECT_EQ(stats.results, recs.size());
  }
  // Past each key's warm-up, the flagged records are exactly the outliers.
  std::vector<uint64_t> planted;
  for (size_t i = 5 * 30; i < recs.size(); ++i)
    if (recs[i].flags & SensorRecord::kFlagOutlier) planted.push_back(i);
  ASSERT_GT(planted.size(), 10u);
  EXPECT_EQ(ref, planted);
}

TEST(ZScore, KeysFoldIntoKeySlots) {
  // keys 0..7 into 4 slots: key k and k+4 share state.
  auto recs = sensor_stream(4000, 8);
  EXPECT_EQ(run("zscore", 1, 256, recs, nullptr, 1000, 4).anomalies, reference_zscore(recs, 4));
}

// ---- window-agg ----

struct RefWindow {
  uint32_t key;
  int64_t start;
  std::vector<SensorRecord> recs;
};

std::vector<RefWindow> reference_windows(const std::vector<SensorRecord>& recs, int64_t window_ns,
                                         uint64_t* late) {
  std::map<uint32_t, RefWindow> open;
  std::vector<RefWindow> closed;
  *late = 0;
  for (const auto& r : recs) {
    const int64_t ts = r.timestamp_ns;
    const int64_t start =
        (ts >= 0 ? ts / window_ns : -((-ts + window_ns - 1) / window_ns)) * window_ns;
    auto it = open.find(r.key);
    if (it != open.end() && start < it->second.start) {
      ++*late;
      continue;
    }
    if (it != open.end() && start > it->second.start) {
      closed.push_back(it->second);
      open.erase(it);
      it = open.end();
    }
    if (it == open.end()) it = open.emplace(r.key, RefWindow{r.key, start, {}}).first;
    it->second.recs.push_back(r);
  }
  return closed;
}

TEST(WindowAgg, MatchesReference) {
  // 7 keys, 1 record per ms, 50 ms windows (about 7 records per key and
  // window); every 97th record is 120 ms late.
  const int64_t window_ns = 50'000'000;
  const auto recs = sensor_stream(20000, 7, 1'000'000, 97, 120'000'000);
  uint64_t ref_late = 0;
  auto ref = reference_windows(recs, window_ns, &ref_late);
  ASSERT_GT(ref_late, 0u);
  std::sort(ref.begin(), ref.end(), [](const RefWindow& a, const RefWindow& b) {
    return std::tie(a.key, a.start) < std::tie(b.key, b.start);
  });

  for (int threads : {1, 4}) {
    ProcessingStats stats;
    auto got = run("window-agg", threads, 700, recs, &stats, 50);
    EXPECT_EQ(stats.late, ref_late);
    EXPECT_EQ(stats.results, ref.size());
    ASSERT_EQ(got.windows.size(), ref.size()) << threads << " threads";
    std::sort(got.windows.begin(), got.windows.end(), [](const auto& a, const auto& b) {
      return std::tie(a.key, a.window_start_ns) < std::tie(b.key, b.window_start_ns);
    });
    for (size_t w = 0; w < ref.size(); ++w) {
      const auto& g = got.windows[w];
      const auto& r = ref[w];
      ASSERT_EQ(g.key, r.key);
      ASSERT_EQ(g.window_start_ns, r.start);
      ASSERT_EQ(g.count, r.recs.size());
      for (int c = 0; c < kSensorChannels; ++c) {
        double sum = 0;
        float lo = r.recs[0].channels[c], hi = lo;
        for (const auto& x : r.recs) {
          sum += x.channels[c];
          lo = std::min(lo, x.channels[c]);
          hi = std::max(hi, x.channels[c]);
        }
        const double mean = sum / double(r.recs.size());
        double ss = 0;
        for (const auto& x : r.recs) ss += (x.channels[c] - mean) * (x.channels[c] - mean);
        const double var = ss / double(r.recs.size());
        EXPECT_EQ(g.min[c], lo);
        EXPECT_EQ(g.max[c], hi);
        EXPECT_NEAR(g.mean[c], mean, 1e-12 * std::max(1.0, std::fabs(mean)));
        EXPECT_NEAR(g.var[c], var, 1e-12 * std::max(1.0, var));
      }
    }
  }
}

TEST(WindowAgg, NegativeTimestampsUseFloorWindows) {
  std::vector<SensorRecord> recs(3);
  for (int i = 0; i < 3; ++i) make_sensor_record(uint64_t(i), 1, 0, &recs[size_t(i)]);
  recs[0].timestamp_ns = -1;             // window [-1 s, 0)
  recs[1].timestamp_ns = 0;              // next window: closes the first
  recs[2].timestamp_ns = 1'000'000'000;  // closes [0, 1 s)
  auto got = run("window-agg", 1, 10, recs);
  ASSERT_EQ(got.windows.size(), 2u);
  std::sort(got.windows.begin(), got.windows.end(),
            [](const auto& a, const auto& b) { return a.window_start_ns < b.window_start_ns; });
  EXPECT_EQ(got.windows[0].window_start_ns, -1'000'000'000);
  EXPECT_EQ(got.windows[0].count, 1u);
  EXPECT_EQ(got.windows[1].window_start_ns, 0);
  EXPECT_EQ(got.windows[0].var[0], 0.0);
}

// ---- mlp ----

double reference_mlp(const proc::MlpWeights& w, const SensorRecord& r) {
  double h1[proc::kH], out = w.b3;
  for (int k = 0; k < proc::kH; ++k) {
    double a = w.b1[k];
    for (int i = 0; i < kSensorChannels; ++i) a += double(w.w1[k][i]) * r.channels[i];
    h1[k] = std::max(a, 0.0);
  }
  for (int k = 0; k < proc::kH; ++k) {
    double a = w.b2[k];
    for (int j = 0; j < proc::kH; ++j) a += double(w.w2[k][j]) * h1[j];
    out += double(w.w3[k]) * std::max(a, 0.0);
  }
  return 1.0 / (1.0 + std::exp(-out));
}

TEST(Mlp, MatchesReference) {
  const auto recs = sensor_stream(1037, 11);  // not a multiple of the 16-record block
  const auto w = proc::make_mlp_weights();
  for (int threads : {1, 4}) {
    const auto got = run("mlp", threads, 300, recs);
    ASSERT_EQ(got.scores.size(), recs.size());
    double lo = 1, hi = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
      EXPECT_NEAR(got.scores[i], reference_mlp(w, recs[i]), 1e-5) << "record " << i;
      lo = std::min(lo, double(got.scores[i]));
      hi = std::max(hi, double(got.scores[i]));
    }
    EXPECT_LT(lo, hi);  // the scores are not a constant
  }
}

TEST(Mlp, WeightsAreDeterministic) {
  const auto a = proc::make_mlp_weights(), b = proc::make_mlp_weights();
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
  const auto c = proc::make_mlp_weights(1);
  EXPECT_NE(std::memcmp(&a, &c, sizeof(a)), 0);
}

}  // namespace
}  // namespace hydra
