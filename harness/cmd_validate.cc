// hydra validate: check a scenario, print its resolved steps, start nothing.
// The client properties are checked against librdkafka (no connection); with
// --connect, a real cluster's brokers are also asked for their metadata
// (bounded), as `hydra run` does before its first step.
#include <iostream>
#include <set>

#include "harness/commands.h"
#include "harness/preflight.h"
#include "harness/scenario.h"
#include "harness/scenario_args.h"
#include "harness/sweep.h"

namespace hydra {
namespace {

constexpr int kConnectTimeoutMs = 3000;

}  // namespace

int cmd_validate(const Args& args) {
  int usage_code = 2;
  const auto opt = parse_scenario_args(args, "validate", /*run_options=*/false, &usage_code);
  if (!opt) return usage_code;
  Scenario sc;
  std::vector<Step> steps;
  try {
    sc = load_scenario(opt->scenario, opt->sets);
    steps = expand_steps(sc);
  } catch (const ScenarioError& e) {
    std::cerr << "hydra validate: " << e.what() << "\n";
    return 2;
  }
  if (const std::string e = check_client_properties(steps); !e.empty()) {
    std::cerr << "hydra validate: " << e << "\n";
    return 2;
  }
  std::cout << describe_steps(sc, steps);
  if (!opt->connect) return 0;
  std::set<std::string> checked;
  for (const Step& step : steps) {
    const ScenarioBroker& b = step.scenario.broker;
    if (b.embedded()) {
      if (checked.insert("").second)
        std::cout << "broker: embedded (hydra run starts it; nothing to connect to)\n";
      continue;
    }
    if (!checked.insert(b.bootstrap).second) continue;
    if (const std::string e =
            check_brokers(b.bootstrap, broker_check_properties(step.scenario), kConnectTimeoutMs);
        !e.empty()) {
      std::cerr << "hydra validate: broker: " << e << "\n";
      return 1;
    }
    std::cout << "broker: " << b.bootstrap << " answered\n";
  }
  return 0;
}

}  // namespace hydra
