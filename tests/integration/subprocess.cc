#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hydra::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> merged_env(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& x : extra) env.push_back(x);
  return env;
}

// Waits for pid up to the deadline; -1 if still running or signalled.
int wait_until(pid_t pid, SteadyClock::time_point deadline, bool* exited) {
  int status = 0;
  while (SteadyClock::now() < deadline) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *exited = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  *exited = false;
  return -1;
}

}  // namespace

bool have_program(const std::string& name) {
  return run_command({"sh", "-c", "command -v " + name}, std::chrono::seconds(5)).exit_code == 0;
}

RunResult run_command(const std::vector<std::string>& argv_in, std::chrono::milliseconds limit,
                      const std::string& input, const std::vector<std::string>& env_extra) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<std::string> argv = argv_in;
  auto args = c_strings(argv);
  auto env_s = merged_env(env_extra);
  auto envp = c_strings(env_s);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0].c_str(), &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  RunResult res;
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    res.err = std::string("spawn failed: ") + strerror(rc);
    return res;
  }
  // Feed stdin and read both outputs without blocking on either.
  size_t written = 0;
  if (input.empty()) close(in[1]), in[1] = -1;
  const auto deadline = SteadyClock::now() + limit;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && SteadyClock::now() < deadline) {
    pollfd p[3] = {{out_open ? out[0] : -1, POLLIN, 0},
                   {err_open ? err[0] : -1, POLLIN, 0},
                   {in[1], POLLOUT, 0}};
    if (poll(p, 3, 100) <= 0) continue;
    char buf[65536];
    if (p[0].revents) {
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n > 0)
        res.out.append(buf, size_t(n));
      else
        out_open = false;
    }
    if (p[1].revents) {
      const ssize_t n = read(err[0], buf, sizeof buf);
      if (n > 0)
        res.err.append(buf, size_t(n));
      else
        err_open = false;
    }
    if (in[1] >= 0 && p[2].revents) {
      const ssize_t n = write(in[1], input.data() + written, input.size() - written);
      if (n > 0) written += size_t(n);
      if (n <= 0 || written == input.size()) close(in[1]), in[1] = -1;
    }
  }
  if (in[1] >= 0) close(in[1]);
  close(out[0]);
  close(err[0]);
  bool exited = false;
  res.exit_code = wait_until(pid, deadline + std::chrono::seconds(1), &exited);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    res.exit_code = -1;
  }
  return res;
}

Background start_background(const std::vector<std::string>& argv_in,
                            std::chrono::milliseconds limit, const std::vector<std::string>& env) {
  int out[2];
  if (pipe2(out, O_CLOEXEC)) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  std::vector<std::string> argv = argv_in;
  auto args = c_strings(argv);
  auto env_s = merged_env(env);
  auto envp = c_strings(env_s);
  Background b;
  const int rc = posix_spawnp(&b.pid, argv[0].c_str(), &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("spawn failed: " + std::string(strerror(rc)));
  }
  const auto deadline = SteadyClock::now() + limit;
  char c;
  while (SteadyClock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    if (read(out[0], &c, 1) != 1 || c == '\n') break;
    b.first_line += c;
  }
  close(out[0]);
  return b;
}

int stop_background(pid_t pid, int sig, std::chrono::milliseconds limit) {
  kill(pid, sig);
  bool exited = false;
  const int code = wait_until(pid, SteadyClock::now() + limit, &exited);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return code;
}

std::filesystem::path temp_dir(const std::string& name) {
  const auto p =
      std::filesystem::temp_directory_path() / ("hydra-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace hydra::test
