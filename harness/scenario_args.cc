#include "harness/scenario_args.h"

#include <filesystem>
#include <iostream>
#include <system_error>

#include "harness/cli.h"

namespace po = boost::program_options;

namespace hydra {

std::optional<ScenarioArgs> parse_scenario_args(const Args& args, const std::string& command,
                                                bool run_options, int* exit_code) {
  ScenarioArgs o;
  CliSpec spec;
  spec.command = command;
  spec.usage = std::string("SCENARIO [--set KEY=VALUE]...") +
               (run_options ? " [--out DIR [--force]] [--quiet] [--latency]" : " [--connect]");
  spec.summary = run_options ? "Runs a scenario's sweep end to end and writes its results."
                             : "Checks a scenario and prints its resolved steps; starts nothing.";
  spec.details =
      "SCENARIO is a JSON file (comments allowed); the README lists every key.\n"
      "--set takes the file's dotted keys (publisher.rate=500, 'sweep.publisher.rate=[100,200]');\n"
      "the value is JSON when it parses, else text. Setting a swept key pins it.\n";
  po::options_description options("Options");
  options.add_options()("set", po::value(&o.sets)->composing(),
                        "KEY=VALUE: override a scenario key (repeatable, applied in order)");
  if (run_options) {
    options.add_options()("out", po::value(&o.out),
                          "results folder (default results/<name>-<timestamp>); refused when it "
                          "exists and is not empty, unless --force")(
        "force", po::bool_switch(&o.force), "write into a non-empty --out folder")(
        "quiet,q", po::bool_switch(&o.quiet), "print only errors and the final line")(
        "latency", po::bool_switch(&o.latency),
        "print a wrk2-style latency percentile block (produce and end-to-end) per step");
  } else {
    options.add_options()("connect", po::bool_switch(&o.connect),
                          "also check that the scenario's brokers answer (bounded: a few "
                          "seconds); the embedded broker is not started");
  }
  po::options_description hidden;
  hidden.add_options()("scenario", po::value(&o.scenario));
  po::positional_options_description positional;
  positional.add("scenario", 1);

  po::variables_map vm;
  if (auto code = parse_cli(spec, options, hidden, positional, args, vm)) {
    *exit_code = *code;
    return std::nullopt;
  }
  if (o.scenario.empty()) {
    std::cerr << "hydra " << command << ": no scenario file given\nusage: hydra " << command << " "
              << spec.usage << "\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (run_options && !o.out.empty() && !o.force) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(o.out, ec);
    if (exists && (!fs::is_directory(o.out, ec) || !fs::is_empty(o.out, ec))) {
      std::cerr << "hydra " << command << ": --out " << o.out
                << (fs::is_directory(o.out, ec) ? ": the folder is not empty"
                                                : ": exists and is not a folder")
                << " (another run's results would be mixed with this one's; pick a new "
                   "folder, or --force to write into it)\n";
      *exit_code = 2;
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace hydra
