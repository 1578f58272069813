#include "harness/scenario_args.h"

#include <iostream>

namespace hydra {

std::optional<ScenarioArgs> parse_scenario_args(const Args& args, const std::string& command,
                                                bool run_options, int* exit_code) {
  const std::string usage = "usage: hydra " + command + " SCENARIO [--set KEY=VALUE]..." +
                            (run_options ? " [--out DIR] [--quiet]" : "") + "\n";
  auto refuse = [&](const std::string& why) {
    std::cerr << "hydra " << command << ": " << why << "\n" << usage;
    *exit_code = 2;
    return std::nullopt;
  };
  ScenarioArgs o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool takes_value = a == "--set" || (run_options && a == "--out");
    if (takes_value && i + 1 >= args.size()) return refuse(a + " needs a value");
    if (a == "-h" || a == "--help") {
      std::cout << usage;
      *exit_code = 0;
      return std::nullopt;
    } else if (a == "--set") {
      o.sets.push_back(args[++i]);
    } else if (a.rfind("--set=", 0) == 0) {
      o.sets.push_back(a.substr(6));
    } else if (run_options && a == "--out") {
      o.out = args[++i];
    } else if (run_options && a.rfind("--out=", 0) == 0) {
      o.out = a.substr(6);
    } else if (run_options && (a == "--quiet" || a == "-q")) {
      o.quiet = true;
    } else if (o.scenario.empty() && a.rfind("-", 0) != 0) {
      o.scenario = a;
    } else {
      return refuse("unexpected argument \"" + a + "\"");
    }
  }
  if (o.scenario.empty()) return refuse("no scenario file given");
  return o;
}

}  // namespace hydra
