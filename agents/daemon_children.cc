#include "agents/daemon_children.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/child_stop.h"
#include "common/fd_line.h"

extern char** environ;

namespace hydra {
namespace {

using Steady = std::chrono::steady_clock;

}  // namespace

DaemonChildren::DaemonChildren(std::string binary, std::string bind_host,
                               std::vector<std::string> env, bool insecure)
    : binary_(std::move(binary)),
      bind_host_(std::move(bind_host)),
      env_(std::move(env)),
      insecure_(insecure) {}

DaemonChildren::~DaemonChildren() {
  kill_all(std::chrono::milliseconds(2000));
}

DaemonChildren::Child DaemonChildren::spawn(const std::string& role, int64_t clock_offset_ns,
                                            std::chrono::milliseconds timeout) {
  if (role != "pub" && role != "sub")
    throw std::runtime_error("spawn: role must be \"pub\" or \"sub\" (got \"" + role + "\")");
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  const bool v6 = bind_host_.find(':') != std::string::npos;
  std::vector<std::string> args{binary_,
                                "--role",
                                role,
                                "--control",
                                "tcp://" + (v6 ? "[" + bind_host_ + "]" : bind_host_) + ":0",
                                "--exit-with-parent",
                                "--parent-pid",
                                std::to_string(getpid()),
                                "--clock-offset-ns",
                                std::to_string(clock_offset_ns)};
  if (insecure_) args.push_back("--insecure");
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.push_back(*e);
  for (const auto& e : env_) env_s.push_back(e);
  std::vector<char*> envp;
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  Child c;
  c.role = role;
  const int rc = posix_spawn(&c.pid, binary_.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + binary_ + ": " + strerror(rc));
  }
  children_[c.pid] = c;
  c.endpoint = read_line_within(out[0], Steady::now() + timeout);
  close(out[0]);
  if (c.endpoint.rfind("tcp://", 0) != 0) {
    kill(c.pid, std::chrono::milliseconds(500));
    throw std::runtime_error(role + " agent did not report its endpoint within " +
                             std::to_string(timeout.count()) + " ms (its stderr is the daemon's)");
  }
  children_[c.pid] = c;
  return c;
}

bool DaemonChildren::alive(pid_t pid) {
  if (!children_.count(pid)) return false;
  if (waitpid(pid, nullptr, WNOHANG) == 0) return true;
  children_.erase(pid);
  return false;
}

void DaemonChildren::kill(pid_t pid, std::chrono::milliseconds grace) {
  if (!alive(pid)) return;
  stop_children({pid}, grace);
  children_.erase(pid);
}

void DaemonChildren::kill_all(std::chrono::milliseconds grace) {
  std::vector<pid_t> pids;
  for (const auto& [pid, c] : children_) pids.push_back(pid);
  stop_children(std::move(pids), grace);
  children_.clear();
}

}  // namespace hydra
