// hydra validate: check a scenario, print its resolved steps, start nothing.
#include <iostream>

#include "harness/commands.h"
#include "harness/scenario.h"
#include "harness/sweep.h"

namespace hydra {

int cmd_validate(const Args& args) {
  std::string path;
  std::vector<std::string> sets;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--set" && i + 1 < args.size()) {
      sets.push_back(args[++i]);
    } else if (args[i].rfind("--set=", 0) == 0) {
      sets.push_back(args[i].substr(6));
    } else if (args[i] == "-h" || args[i] == "--help") {
      std::cout << "usage: hydra validate SCENARIO [--set KEY=VALUE]...\n";
      return 0;
    } else if (path.empty() && args[i].rfind("--", 0) != 0) {
      path = args[i];
    } else {
      std::cerr << "hydra validate: unexpected argument \"" << args[i] << "\"\n"
                << "usage: hydra validate SCENARIO [--set KEY=VALUE]...\n";
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: hydra validate SCENARIO [--set KEY=VALUE]...\n";
    return 2;
  }
  try {
    const Scenario sc = load_scenario(path, sets);
    const auto steps = expand_steps(sc);
    std::cout << describe_steps(sc, steps);
  } catch (const ScenarioError& e) {
    std::cerr << "hydra validate: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace hydra
