// Writes latency/<stem>.hgrm for every step: the percentile spectrum of the
// step's merged end-to-end latency histogram in HdrHistogram's text format
// (outputPercentileDistribution: Value, Percentile, TotalCount,
// 1/(1-Percentile); 5 reporting ticks per half distance; a footer with Mean,
// StdDeviation, Max and Total count), values in milliseconds. Every line that
// is not data starts with '#', so gnuplot reads the file as it is
// (tools/plot/latency_spectrum.gp plots column 4 against column 1).
#pragma once

#include <filesystem>
#include <ostream>

#include "common/histogram.h"
#include "harness/reporter.h"

namespace hydra {

// Writes h's spectrum (h's values in ns, printed in ms). The last data line is
// the 100 % line, at h.max(); it has no 1/(1-Percentile) column, as in
// HdrHistogram. An empty histogram gives the header and footer only.
void write_hgrm(std::ostream& out, const Histogram& h, int ticks_per_half_distance = 5);

class HgrmWriter : public Reporter {
 public:
  // out_dir: the run's results folder; latency/ is created under it.
  explicit HgrmWriter(std::filesystem::path out_dir);

  // Writes the step's file; throws std::runtime_error naming the path when it
  // cannot.
  void on_step_done(const Row& row, const StepResult& result) override;

  std::filesystem::path path_for(int step, int repeat) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace hydra
