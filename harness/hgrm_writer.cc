#include "harness/hgrm_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "harness/row.h"

namespace hydra {
namespace {

constexpr double kNsPerMs = 1e6;

std::string format(const char* fmt, auto... args) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// The next percentile level to report after `level` (HdrHistogram's
// PercentileIterator): ticks_per_half_distance lines for each halving of the
// distance to 100 %.
double next_level(double level, int ticks_per_half_distance) {
  const double half_distances = std::floor(std::log2(100.0 / (100.0 - level)));
  const double ticks = double(ticks_per_half_distance) * std::pow(2.0, half_distances + 1);
  return level + 100.0 / ticks;
}

}  // namespace

void write_hgrm(std::ostream& out, const Histogram& h, int ticks_per_half_distance) {
  ticks_per_half_distance = std::max(1, ticks_per_half_distance);
  out << format("#%11s %14s %10s %14s\n\n", "Value(ms)", "Percentile", "TotalCount",
                "1/(1-Percentile)");

  struct Bucket {
    int64_t value;  // reported value: the bucket's highest, within [min, max]
    uint64_t cumulative;
  };
  std::vector<Bucket> buckets;
  uint64_t cumulative = 0;
  h.for_each_bucket([&](int64_t, int64_t highest, uint64_t count) {
    cumulative += count;
    buckets.push_back({std::clamp(highest, h.min(), h.max()), cumulative});
  });

  const uint64_t total = h.count();
  auto line = [&](int64_t value, double level, uint64_t count) {
    const double p = level / 100.0;
    out << format("%12.3f %2.12f %10llu %14.2f\n", double(value) / kNsPerMs, p,
                  (unsigned long long)count, 1.0 / (1.0 - p));
  };
  double level = 0;
  for (const auto& b : buckets) {
    const double reached = 100.0 * double(b.cumulative) / double(total);
    if (b.cumulative >= total) {
      // The last bucket: one line at the level reached, then the 100 % line.
      line(b.value, level, b.cumulative);
      out << format("%12.3f %2.12f %10llu\n", double(h.max()) / kNsPerMs, 1.0,
                    (unsigned long long)total);
      break;
    }
    while (reached >= level) {
      line(b.value, level, b.cumulative);
      level = next_level(level, ticks_per_half_distance);
    }
  }

  // Standard deviation from bucket midpoints (the histogram keeps no sum of
  // squares); the mean is exact.
  const double mean = h.mean();
  double sq = 0;
  h.for_each_bucket([&](int64_t lowest, int64_t highest, uint64_t count) {
    const double mid =
        std::clamp((double(lowest) + double(highest)) / 2.0, double(h.min()), double(h.max()));
    sq += double(count) * (mid - mean) * (mid - mean);
  });
  const double stddev = total > 0 ? std::sqrt(sq / double(total)) : 0.0;
  out << format("#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / kNsPerMs,
                stddev / kNsPerMs);
  out << format("#[Max     = %12.3f, Total count    = %12llu]\n", double(h.max()) / kNsPerMs,
                (unsigned long long)total);
  out << format("#[Buckets = %12zu, SubBuckets     = %12d]\n", Histogram::bucket_count(),
                1 << Histogram::kSubBucketBits);
}

HgrmWriter::HgrmWriter(std::filesystem::path out_dir) : dir_(std::move(out_dir) / "latency") {}

std::filesystem::path HgrmWriter::path_for(int step, int repeat) const {
  return dir_ / (step_file_stem(step, repeat) + ".hgrm");
}

void HgrmWriter::on_step_done(const Row& /*row*/, const StepResult& result) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create " + dir_.string() + ": " + ec.message());
  const auto path = path_for(result.step, result.repeat);
  std::ofstream out(path, std::ios::out | std::ios::trunc);
  write_hgrm(out, merged_latency(result));
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace hydra
