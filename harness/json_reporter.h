// Writes steps/<stem>.json for every step (stem: step_file_stem(), e.g.
// "003-r0"): the step's raw result (StepResult::to_json(), per-agent and
// per-client stats with their histograms) with two more keys, "row" (the
// computed results.csv row, numbers as numbers) and "merged_latency" (the
// merged end-to-end latency histogram, lossless). scenario.json is not written
// here but by the controller.
#pragma once

#include <filesystem>

#include "harness/reporter.h"

namespace hydra {

class JsonReporter : public Reporter {
 public:
  // out_dir: the run's results folder; steps/ is created under it.
  explicit JsonReporter(std::filesystem::path out_dir);

  // Writes the step's file (through a temporary file and a rename, so a
  // reader never sees half of one). Throws std::runtime_error naming the path
  // when it cannot.
  void on_step_done(const Row& row, const StepResult& result) override;

  // The file a step's JSON goes to.
  std::filesystem::path path_for(int step, int repeat) const;

 private:
  std::filesystem::path dir_;
};

// The document JsonReporter writes for a step.
nlohmann::json step_json(const Row& row, const StepResult& result);

}  // namespace hydra
