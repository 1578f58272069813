// hydra validate: check a scenario, print its resolved steps, start nothing.
#include <iostream>

#include "harness/commands.h"
#include "harness/scenario.h"
#include "harness/scenario_args.h"
#include "harness/sweep.h"

namespace hydra {

int cmd_validate(const Args& args) {
  int usage_code = 2;
  const auto opt = parse_scenario_args(args, "validate", /*run_options=*/false, &usage_code);
  if (!opt) return usage_code;
  try {
    const Scenario sc = load_scenario(opt->scenario, opt->sets);
    const auto steps = expand_steps(sc);
    std::cout << describe_steps(sc, steps);
  } catch (const ScenarioError& e) {
    std::cerr << "hydra validate: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace hydra
