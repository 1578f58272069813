// The arguments `hydra run` and `hydra validate` share: a scenario file and
// any number of --set KEY=VALUE; run also takes --out DIR, --quiet and
// --latency.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/commands.h"

namespace hydra {

struct ScenarioArgs {
  std::string scenario;
  std::vector<std::string> sets;  // KEY=VALUE, in order
  std::string out;                // run only; "" = results/<name>-<timestamp>
  bool quiet = false;             // run only
  bool latency = false;           // run only: a percentile block per step
};

// Parses args for `hydra <command>`. On nullopt it has printed the usage and
// why, and *exit_code says what to return (0 after --help, else 2).
std::optional<ScenarioArgs> parse_scenario_args(const Args& args, const std::string& command,
                                                bool run_options, int* exit_code);

}  // namespace hydra
