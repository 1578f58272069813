// hydra: the controller. The command line is described in docs/contracts.md
// ("Command line"); each subcommand parses its own options (harness/cli.h).
#include <librdkafka/rdkafka.h>
#include <zmq.h>

#include <iostream>
#include <string>

#include "common/version.h"
#include "harness/commands.h"

namespace {

const char* kUsage =
    "usage: hydra COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO [--set KEY=VALUE]... [--out DIR [--force]] [--quiet] [--latency]\n"
    "                      run a scenario's sweep, write results.csv, step JSON and plots\n"
    "  validate SCENARIO [--set KEY=VALUE]...\n"
    "                      check a scenario, print its resolved steps, start nothing\n"
    "  broker [--kind hydra|mock] [--brokers N] [--topic T --partitions P --replication R]\n"
    "                      run the embedded broker until SIGINT/SIGTERM\n"
    "  plot RESULTS_DIR    render the plots (and report.html) of a finished run\n"
    "  plot --compare RUN_A RUN_B... --out DIR\n"
    "                      overlay several runs' rx_rate, loss and latency\n"
    "  keys --out DIR [--name NAME]\n"
    "                      write a CurveZMQ key pair (agent daemons on other hosts)\n"
    "\n"
    "hydra COMMAND --help  every option of a command\n"
    "hydra --version       Hydra's and its libraries' versions\n"
    "exit codes: 0 ok, 1 the run failed, 2 bad usage or bad scenario (nothing started)\n";

void print_version() {
  int zmq_major = 0, zmq_minor = 0, zmq_patch = 0;
  zmq_version(&zmq_major, &zmq_minor, &zmq_patch);
  std::cout << "hydra " << hydra::hydra_version() << " (" << hydra::git_commit() << ")\n"
            << "librdkafka " << rd_kafka_version_str() << "\n"
            << "libzmq " << zmq_major << "." << zmq_minor << "." << zmq_patch << "\n";
}

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
    if (sub == "keys") return hydra::cmd_keys(args);
    if (sub == "-h" || sub == "--help" || sub == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (sub == "--version" || sub == "version") {
      print_version();
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "hydra " << sub << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "hydra: unknown command \"" << sub << "\"\n" << kUsage;
  return 2;
}
