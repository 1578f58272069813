#include "harness/launcher_ssh.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hydra {
namespace {

using Steady = std::chrono::steady_clock;

std::string read_line(int fd, Steady::time_point deadline) {
  std::string line;
  char c;
  while (Steady::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(std::max<long>(1, std::min<long>(left, 1000)))) <= 0) continue;
    if (::read(fd, &c, 1) <= 0) return "";
    if (c == '\n') return line;
    line += c;
    if (line.size() > 4096) return "";
  }
  return "";
}

}  // namespace

std::vector<std::string> SshLauncher::command(const HostsConfig& cfg, size_t i) {
  const HostSpec& h = cfg.hosts[i];
  std::vector<std::string> argv;
  const char* env = std::getenv("HYDRA_SSH");
  std::istringstream ssh(env && *env ? env : "ssh");
  for (std::string w; ssh >> w;) argv.push_back(w);
  argv.push_back(h.ssh.empty() ? curve::endpoint_host(h.endpoint) : h.ssh);
  for (const std::string& w : {cfg.remote_agent, std::string("serve"), std::string("--listen"),
                               h.endpoint, std::string("--stop-on-stdin-eof")})
    argv.push_back(w);
  for (const auto& a : h.serve_args) argv.push_back(a);
  return argv;
}

SshLauncher::SshLauncher(HostsConfig cfg, int control_timeout_ms)
    : DaemonLauncher(std::move(cfg), control_timeout_ms) {
  try {
    for (size_t i = 0; i < config().hosts.size(); ++i) {
      auto args = command(config(), i);
      std::vector<char*> argv;
      for (auto& s : args) argv.push_back(s.data());
      argv.push_back(nullptr);
      int in[2], out[2];
      if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe: " + std::string(strerror(errno)));
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
      posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
      posix_spawnattr_t attr;
      posix_spawnattr_init(&attr);
      // Own process group: the terminal's Ctrl-C reaches the controller,
      // which ends the sessions in order.
      posix_spawnattr_setpgroup(&attr, 0);
      posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
      Ssh s;
      const int rc = posix_spawnp(&s.pid, argv[0], &fa, &attr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&fa);
      posix_spawnattr_destroy(&attr);
      close(in[0]);
      close(out[1]);
      if (rc != 0) {
        close(in[1]);
        close(out[0]);
        throw std::runtime_error("cannot run " + args[0] + ": " + strerror(rc));
      }
      s.stdin_fd = in[1];
      ssh_.push_back(s);
      const std::string ep = read_line(
          out[0], Steady::now() + std::chrono::milliseconds(std::max(control_timeout_ms, 5000)));
      close(out[0]);
      const HostSpec& h = config().hosts[i];
      if (ep.rfind("tcp://", 0) != 0)
        throw std::runtime_error("agent daemon " + h.endpoint + " did not start over " + args[0] +
                                 " (no endpoint line; its stderr is above)");
      // The port it printed (the entry may say :0), at the address we know.
      set_endpoint(i, curve::with_host(ep, curve::endpoint_host(h.endpoint)));
    }
    connect_all();
  } catch (...) {
    stop_all();
    throw;
  }
}

SshLauncher::~SshLauncher() {
  disconnect();
  stop_all();
}

void SshLauncher::stop_all() {
  for (auto& s : ssh_)
    if (s.stdin_fd >= 0) close(s.stdin_fd), s.stdin_fd = -1;
  const auto deadline = Steady::now() + std::chrono::milliseconds(3000);
  for (auto& s : ssh_) {
    while (s.pid > 0 && Steady::now() < deadline) {
      if (waitpid(s.pid, nullptr, WNOHANG) == s.pid)
        s.pid = -1;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (s.pid > 0) {
      ::kill(s.pid, SIGTERM);
      waitpid(s.pid, nullptr, 0);
      s.pid = -1;
    }
  }
  ssh_.clear();
}

}  // namespace hydra
