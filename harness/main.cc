// hydra: the controller. See DESIGN.md "Command line".
#include <iostream>
#include <string>

#include "harness/commands.h"

namespace {

const char* kUsage =
    "usage:\n"
    "  hydra run SCENARIO [--set KEY=VALUE]... [--out DIR] [--quiet]\n"
    "  hydra validate SCENARIO [--set KEY=VALUE]...\n"
    "  hydra broker [--brokers N] [--topic T --partitions P --replication R]\n"
    "  hydra plot RESULTS_DIR\n"
    "exit codes: 0 ok, 1 the run failed, 2 bad usage or bad scenario\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string sub = argv[1];
  const hydra::Args args(argv + 2, argv + argc);
  try {
    if (sub == "run") return hydra::cmd_run(args, argv[0]);
    if (sub == "validate") return hydra::cmd_validate(args);
    if (sub == "broker") return hydra::cmd_broker(args);
    if (sub == "plot") return hydra::cmd_plot(args, argv[0]);
    if (sub == "-h" || sub == "--help" || sub == "help") {
      std::cout << kUsage;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "hydra " << sub << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "hydra: unknown command \"" << sub << "\"\n" << kUsage;
  return 2;
}
