// The arguments `hydra run` and `hydra validate` share: a scenario file and
// any number of --set KEY=VALUE; run also takes --out DIR, --force, --quiet
// and --latency, validate --connect. Parsed by cmd_run.cc and cmd_validate.cc.
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
  bool force = false;             // run only: write into a non-empty --out folder
  bool quiet = false;             // run only
  bool latency = false;           // run only: a percentile block per step
  bool connect = false;           // validate only: also check that the brokers answer
};

// Parses args for `hydra <command>`. On nullopt it has printed the usage and
// why, and *exit_code says what to return (0 after --help, else 2). A run's
// --out folder that exists and is not empty is refused without --force (the
// results of another run would be mixed with this one's).
std::optional<ScenarioArgs> parse_scenario_args(const Args& args, const std::string& command,
                                                bool run_options, int* exit_code);

}  // namespace hydra
