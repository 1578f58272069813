#include "harness/fault_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace hydra {

nlohmann::json CommandOutcome::to_json() const {
  nlohmann::json j;
  j["exit_status"] = exit_status >= 0 ? nlohmann::json(exit_status) : nlohmann::json();
  j["signal"] = signal ? nlohmann::json(signal) : nlohmann::json();
  j["timed_out"] = timed_out;
  j["output"] = output;
  j["seconds"] = seconds;
  if (!error.empty()) j["error"] = error;
  return j;
}

CommandOutcome run_command(const std::string& command, double timeout_s) {
  using Clock = std::chrono::steady_clock;
  CommandOutcome out;
  const auto start = Clock::now();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.error = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    out.error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return out;
  }
  if (pid == 0) {
    // Its own process group, so a timeout ends whatever it started too.
    setpgid(0, 0);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);  // also here: no race with the child's own call
  close(fds[1]);
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  bool open_pipe = true;
  char buf[4096];
  while (open_pipe) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, int(std::min<long long>(left, 200)));
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) {
      open_pipe = false;
      break;
    }
    const size_t room =
        CommandOutcome::kMaxOutput - std::min(out.output.size(), CommandOutcome::kMaxOutput);
    out.output.append(buf, std::min(size_t(n), room));
  }
  close(fds[0]);
  int status = 0;
  if (out.timed_out) {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else {
    // Output closed: the shell is exiting (a background child that kept the
    // pipe would have kept us reading until the timeout). Bounded wait.
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) {
        out.timed_out = true;
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      usleep(10000);
    }
  }
  if (WIFEXITED(status) && !out.timed_out) out.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace hydra
