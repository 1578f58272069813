// The same-answers check: two processors (CPU vs GPU, or 1 vs N CPU threads)
// fed the same batches must produce the same results, within stated
// tolerances for floating-point moments and scores.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include "agents/processing/same_answers.h"

namespace hydra {
namespace {

constexpr double kMomentTolerance = 1e-9;  // relative, window mean and variance
constexpr double kScoreTolerance = 1e-5;   // absolute, mlp scores in (0, 1)
constexpr int kMaxReported = 5;

struct Diffs {
  explicit Diffs(SameAnswers* o) : out(o) {}
  SameAnswers* out;
  std::ostringstream text;
  int reported = 0;
  template <typename... Args>
  void fail(const Args&... args) {
    out->same = false;
    if (reported++ >= kMaxReported) return;
    if (reported > 1) text << "; ";
    (text << ... << args);
  }
};

double rel_diff(double a, double b) {
  if (a == b) return 0;
  return std::fabs(a - b) / std::max({1.0, std::fabs(a), std::fabs(b)});
}

void compare_windows(std::vector<WindowSummary> a, std::vector<WindowSummary> b, Diffs& d) {
  auto order = [](const WindowSummary& x, const WindowSummary& y) {
    return std::tie(x.key, x.window_start_ns) < std::tie(y.key, y.window_start_ns);
  };
  std::sort(a.begin(), a.end(), order);
  std::sort(b.begin(), b.end(), order);
  d.out->windows = a.size();
  if (a.size() != b.size()) d.fail("windows: ", a.size(), " vs ", b.size());
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const WindowSummary &x = a[i], &y = b[i];
    if (x.key != y.key || x.window_start_ns != y.window_start_ns || x.count != y.count) {
      d.fail("window ", i, ": key/start/count ", x.key, "/", x.window_start_ns, "/", x.count,
             " vs ", y.key, "/", y.window_start_ns, "/", y.count);
      continue;
    }
    for (int c = 0; c < kSensorChannels; ++c) {
      if (x.min[c] != y.min[c] || x.max[c] != y.max[c])
        d.fail("window key ", x.key, " start ", x.window_start_ns, " channel ", c, ": min/max ",
               x.min[c], "/", x.max[c], " vs ", y.min[c], "/", y.max[c]);
      const double dm = std::max(rel_diff(x.mean[c], y.mean[c]), rel_diff(x.var[c], y.var[c]));
      d.out->max_moment_diff = std::max(d.out->max_moment_diff, dm);
      if (!(dm <= kMomentTolerance))
        d.fail("window key ", x.key, " start ", x.window_start_ns, " channel ", c, ": mean/var ",
               x.mean[c], "/", x.var[c], " vs ", y.mean[c], "/", y.var[c]);
    }
  }
}

}  // namespace

SameAnswers compare_results(const ProcessingResults& a, const ProcessingResults& b) {
  SameAnswers r;
  Diffs d(&r);
  compare_windows(a.windows, b.windows, d);

  r.anomalies = a.anomalies.size();
  if (a.anomalies != b.anomalies) {
    std::vector<uint64_t> only_a, only_b;
    std::set_difference(a.anomalies.begin(), a.anomalies.end(), b.anomalies.begin(),
                        b.anomalies.end(), std::back_inserter(only_a));
    std::set_difference(b.anomalies.begin(), b.anomalies.end(), a.anomalies.begin(),
                        a.anomalies.end(), std::back_inserter(only_b));
    d.fail("anomalies: ", a.anomalies.size(), " vs ", b.anomalies.size(), " (", only_a.size(),
           " only in the first, first ", only_a.empty() ? 0 : only_a[0], "; ", only_b.size(),
           " only in the second, first ", only_b.empty() ? 0 : only_b[0], ")");
  }

  r.scores = a.scores.size();
  if (a.scores.size() != b.scores.size())
    d.fail("scores: ", a.scores.size(), " vs ", b.scores.size());
  for (size_t i = 0; i < std::min(a.scores.size(), b.scores.size()); ++i) {
    const double diff = std::fabs(double(a.scores[i]) - double(b.scores[i]));
    r.max_score_diff = std::max(r.max_score_diff, diff);
    if (!(diff <= kScoreTolerance)) d.fail("score ", i, ": ", a.scores[i], " vs ", b.scores[i]);
  }
  if (d.reported > kMaxReported) d.text << "; and " << (d.reported - kMaxReported) << " more";
  r.detail = d.text.str();
  return r;
}

SameAnswers check_same_answers(const ProcessingConfig& a, const ProcessingConfig& b,
                               const std::vector<SensorRecord>& records) {
  auto run = [&](ProcessingConfig cfg) {
    cfg.batch = a.batch;
    cfg.keep_results = true;
    cfg.linger_ms = 1e12;  // batches cut by size only: both sides see the same batches
    auto p = make_processor(cfg);
    for (const SensorRecord& r : records) p->submit(r, 0, 0);
    if (!p->drain(60000))
      throw ProcessingError("same-answers: " + p->device_name() + " did not drain");
    return p->take_results();
  };
  return compare_results(run(a), run(b));
}

}  // namespace hydra
