// The processing stage's results.csv columns (extra columns, after the
// contract's): throughput, added latency (result ready - receive), end-to-end
// latency including processing, CPU time per record and batch fill. Computed
// here, once, from the clients' merged processing stats; present only when the
// scenario runs a processing stage, so plain sweeps keep their columns.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/step_result.h"
#include "harness/sweep.h"

namespace hydra {

bool uses_processing(const std::vector<Step>& steps);

const std::vector<std::string>& processing_column_names();

// One value per processing_column_names() entry, in that order.
std::vector<std::pair<std::string, std::string>> processing_columns(const StepResult& r,
                                                                    const Scenario& step_scenario);

}  // namespace hydra
