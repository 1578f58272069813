// `hydra-agent serve` options -> a Daemon (agents/daemon.h). First stdout
// line: the bound endpoint, as for an agent.
#include <poll.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "agents/cli_options.h"
#include "agents/daemon.h"

namespace po = boost::program_options;

namespace hydra {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

std::string self_binary() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "hydra-agent";
  buf[n] = 0;
  return buf;
}

}  // namespace

int serve_main(int argc, char** argv) {
  std::string listen, key_file;
  std::vector<std::string> allow;
  bool insecure = false, stop_on_eof = false;
  double test_offset_ms = 0;
  po::options_description desc(
      "hydra-agent serve: the agent daemon; starts publisher and subscriber agents on this host "
      "for one controller at a time\nOptions");
  desc.add_options()("help,h", "show this help")(
      "listen", po::value(&listen)->required(),
      "ZeroMQ endpoint to listen on, e.g. tcp://10.0.0.2:7700 (off loopback: --key and "
      "--allow, or --insecure)")("key", po::value(&key_file),
                                 "this daemon's key pair file (hydra keys --out DIR)")(
      "allow", po::value(&allow)->composing(),
      "a controller public key (40 Z85 characters, or its .pub file); repeatable")(
      "insecure", po::bool_switch(&insecure),
      "accept any controller over plain TCP off loopback (trusted networks only)")(
      "stop-on-stdin-eof", po::bool_switch(&stop_on_eof),
      "exit when stdin closes (the ssh launcher: the controller's ssh going away stops it)")(
      "test-clock-offset-ms", po::value(&test_offset_ms)->default_value(0),
      "tests only: pretend this host's clock is off by this much");
  po::variables_map vm;
  if (const auto code = parse_options(argc, argv, desc, vm, "hydra-agent serve")) return *code;
  DaemonOptions opt;
  opt.listen = listen;
  opt.agent_binary = self_binary();
  opt.insecure = insecure;
  opt.test_clock_offset_ns = int64_t(test_offset_ms * 1e6);
  try {
    if (!key_file.empty()) opt.key = curve::read_key_file(key_file);
    for (const auto& a : allow) opt.allowed.push_back(curve::read_public_key(a));
  } catch (const std::exception& e) {
    std::cerr << "hydra-agent serve: " << e.what() << "\n";
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  std::thread eof_watch;
  if (stop_on_eof) {
    eof_watch = std::thread([] {
      char buf[256];
      while (!g_stop.load()) {
        pollfd p{STDIN_FILENO, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        if (::read(STDIN_FILENO, buf, sizeof buf) <= 0) g_stop.store(true);
      }
    });
  }
  int rc = 0;
  try {
    Daemon daemon(opt);
    std::cout << daemon.endpoint() << std::endl;
    daemon.serve(g_stop);
  } catch (const DaemonRefused& e) {
    std::cerr << "hydra-agent serve: " << e.what() << "\n";
    rc = 2;
  } catch (const std::exception& e) {
    std::cerr << "hydra-agent serve: " << e.what() << "\n";
    rc = 1;
  }
  g_stop.store(true);
  if (eof_watch.joinable()) eof_watch.join();
  return rc;
}

}  // namespace hydra
