#include "harness/agent_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "common/child_stop.h"
#include "common/fd_line.h"

extern char** environ;

namespace hydra {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

AgentLauncher::AgentLauncher(std::string agent_binary, std::string log_dir)
    : binary_(std::move(agent_binary)), log_dir_(std::move(log_dir)) {
  if (!log_dir_.empty()) std::filesystem::create_directories(log_dir_);
}

AgentLauncher::~AgentLauncher() {
  kill_all(std::chrono::milliseconds(2000));
}

std::string AgentLauncher::default_agent_binary() {
  if (const char* env = std::getenv("HYDRA_AGENT")) return env;
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "hydra-agent";
  buf[n] = 0;
  return (std::filesystem::path(buf).parent_path() / "hydra-agent").string();
}

LaunchedAgent AgentLauncher::spawn(const std::string& role, std::chrono::milliseconds timeout) {
  LaunchedAgent a;
  a.role = role;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  a.log_path = log_dir_.empty()
                   ? "/dev/null"
                   : log_dir_ + "/" + role + "-" + std::to_string(per_role_[role]++) + ".log";
  ++spawned_;

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, a.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group: the terminal's SIGINT goes to the controller only,
  // which stops agents in order rather than having them die mid-reply.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_s{
      binary_, "--role", role, "--control", "tcp://127.0.0.1:0", "--exit-with-parent"};
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&a.pid, binary_.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + binary_ + ": " + strerror(rc));
  }
  pids_.push_back(a.pid);
  a.endpoint = read_line_within(out[0], Clock::now() + timeout);
  close(out[0]);
  if (a.endpoint.rfind("tcp://", 0) != 0 && a.endpoint.rfind("ipc://", 0) != 0) {
    kill(a.pid, std::chrono::milliseconds(500));
    throw std::runtime_error(role + " agent did not report its endpoint within " +
                             std::to_string(timeout.count()) + " ms (see " + a.log_path + ")");
  }
  if (on_spawned_) on_spawned_(role, spawned_);
  return a;
}

bool AgentLauncher::alive(pid_t pid) {
  int status = 0;
  const pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == 0) return true;
  pids_.erase(std::remove(pids_.begin(), pids_.end(), pid), pids_.end());
  return false;
}

void AgentLauncher::kill(pid_t pid, std::chrono::milliseconds grace) {
  if (!alive(pid)) return;
  stop_children({pid}, grace);
  pids_.erase(std::remove(pids_.begin(), pids_.end(), pid), pids_.end());
}

void AgentLauncher::kill_all(std::chrono::milliseconds grace) {
  stop_children(pids_, grace);
  pids_.clear();
}

}  // namespace hydra
