// Starts hydra-agent processes on this host and makes sure none outlives the
// controller: each agent runs in its own process group (so a terminal's
// Ctrl-C reaches the controller, which then tears agents down in order) and
// with --exit-with-parent (so even a killed controller takes them along).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hydra {

struct LaunchedAgent {
  pid_t pid = -1;
  std::string role;
  std::string endpoint;  // the control endpoint the agent printed
  std::string log_path;  // its stderr: <log_dir>/<role>-<n>.log, n counting per role
  std::string host;      // where it runs: "" for this host, else its daemon's endpoint
  int host_index = -1;   // the launcher's index of that host; -1 for this host
};

class AgentLauncher {
 public:
  // agent_binary: path to hydra-agent; log_dir: where agents' stderr goes
  // (created if missing; empty = /dev/null). An agent's stderr holds its
  // clients' librdkafka lines (agents/kafka/kafka_log.h), which `hydra run`
  // summarises after each step (harness/client_errors.h).
  AgentLauncher(std::string agent_binary, std::string log_dir);
  ~AgentLauncher();  // kills every agent still running
  AgentLauncher(const AgentLauncher&) = delete;
  AgentLauncher& operator=(const AgentLauncher&) = delete;

  // Spawns one agent and waits (bounded) for its endpoint line. Throws
  // std::runtime_error naming what went wrong (exec failed, exited, timeout).
  LaunchedAgent spawn(const std::string& role, std::chrono::milliseconds timeout);

  // True while the process has not exited (reaps it when it has).
  bool alive(pid_t pid);
  // SIGTERM, then SIGKILL after `grace`; always reaps.
  void kill(pid_t pid, std::chrono::milliseconds grace);
  void kill_all(std::chrono::milliseconds grace);

  std::vector<pid_t> pids() const { return pids_; }
  // Agents started so far.
  int started() const { return spawned_; }

  // Called after each agent started (its role, and how many agents this
  // launcher started so far), so a caller can show progress while a fleet
  // starts. Runs on the thread that called spawn().
  void on_spawned(std::function<void(const std::string& role, int started)> fn) {
    on_spawned_ = std::move(fn);
  }

  // hydra-agent next to the running executable, or $HYDRA_AGENT.
  static std::string default_agent_binary();

 private:
  std::string binary_;
  std::string log_dir_;
  std::vector<pid_t> pids_;
  int spawned_ = 0;
  std::map<std::string, int> per_role_;  // agents started per role, for log names
  std::function<void(const std::string&, int)> on_spawned_;
};

}  // namespace hydra
