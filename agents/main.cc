// hydra-agent: a publisher or subscriber agent driven over ZeroMQ.
// First stdout line: the bound control endpoint (the controller reads it).
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>

#include "agents/cli_options.h"
#include "agents/control_server.h"
#include "agents/daemon.h"
#include "agents/driver_registry.h"
#include "agents/publisher.h"
#include "agents/subscriber.h"
#include "common/clock.h"

namespace po = boost::program_options;

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

struct AgentOptions {
  std::string role;
  std::string control = "tcp://127.0.0.1:0";
  bool exit_with_parent = false;
  int parent_pid = 0;
  bool insecure = false;
  int64_t clock_offset_ns = 0;
  double test_clock_offset_ms = 0;
};

}  // namespace

int main(int argc, char** argv) {
  // The daemon that starts agents for a controller on another host.
  if (argc > 1 && std::string(argv[1]) == "serve") return hydra::serve_main(argc - 1, argv + 1);
  AgentOptions opt;
  po::options_description desc(
      "hydra-agent: a Hydra publisher or subscriber agent\n"
      "(hydra-agent serve --help: the agent daemon for runs over many hosts)\nOptions");
  desc.add_options()("help,h", "show this help")("role", po::value(&opt.role)->required(),
                                                 "pub or sub")(
      "control", po::value(&opt.control)->default_value(opt.control),
      "ZeroMQ endpoint to bind for control requests")(
      "exit-with-parent", po::bool_switch(&opt.exit_with_parent),
      "exit when the launching process dies (the controller sets this)")(
      "parent-pid", po::value(&opt.parent_pid),
      "with --exit-with-parent: the launcher's pid, to catch a parent that died before")(
      "insecure", po::bool_switch(&opt.insecure),
      "allow a plain --control endpoint off loopback (the daemon sets it when it runs "
      "--insecure)")("clock-offset-ns", po::value(&opt.clock_offset_ns),
                     "added to this agent's clock readings (the daemon sets it from the "
                     "controller's clock-offset measurement)")(
      "test-clock-offset-ms", po::value(&opt.test_clock_offset_ms),
      "tests only: pretend this host's clock is off by this much");
  po::variables_map vm;
  if (const auto code = hydra::parse_options(argc, argv, desc, vm, "hydra-agent")) return *code;
  if (opt.role != "pub" && opt.role != "sub") {
    std::cerr << "hydra-agent: --role must be pub or sub (got \"" << opt.role << "\")\n";
    return 2;
  }
  if (opt.exit_with_parent) {
    // SIGKILL, not SIGTERM: with its controller gone nobody collects this
    // agent's results, and a graceful stop can take seconds (a publisher
    // flushes to a broker that may have died with the controller), which
    // left orphans behind a second Ctrl-C.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl(): then nobody will signal us.
    if (opt.parent_pid > 0 && getppid() != opt.parent_pid) return 1;
  }
  std::optional<hydra::curve::ServerAuth> auth;
  try {
    auth = hydra::curve::server_auth_from_env();
  } catch (const std::exception& e) {
    std::cerr << "hydra-agent: " << e.what() << "\n";
    return 2;
  }
  if (!auth && !opt.insecure && !hydra::curve::is_loopback_endpoint(opt.control)) {
    std::cerr << "hydra-agent: --control " << opt.control
              << " is reachable from other hosts: run agents there through `hydra-agent serve` "
                 "with keys, or give --insecure\n";
    return 2;
  }
  hydra::wall_offset_ns().store(opt.clock_offset_ns + int64_t(opt.test_clock_offset_ms * 1e6));
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  hydra::SystemClock clock;
  std::unique_ptr<hydra::AgentRole> role;
  if (opt.role == "pub")
    role = std::make_unique<hydra::Publisher>(hydra::builtin_drivers(), clock);
  else
    role = std::make_unique<hydra::Subscriber>(hydra::builtin_drivers());
  try {
    hydra::ControlServer server(*role, opt.control, auth ? &*auth : nullptr);
    std::cout << server.endpoint() << std::endl;
    server.serve(g_stop);
  } catch (const std::exception& e) {
    std::cerr << "hydra-agent: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
