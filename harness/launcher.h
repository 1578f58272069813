// Where a run's agents start, behind one interface, so the agent pool
// (agent_pool.h) does not care whether they run here or on other hosts:
//   LocalLauncher   this host: hydra-agent processes (agent_launcher.h)
//   DaemonLauncher  the `hydra-agent serve` daemons of agents.hosts
//                   (launcher_daemons.h)
//   SshLauncher     the same daemons, started over ssh first (launcher_ssh.h)
// The Kubernetes manifests (deploy/kubernetes/) run daemons that the
// DaemonLauncher finds through agents.hosts_from_dns. make_launcher()
// (launcher_hosts.h) picks one from the scenario.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "harness/agent_client.h"
#include "harness/agent_launcher.h"

namespace hydra {

class Launcher {
 public:
  virtual ~Launcher() = default;

  // Starts the `slot`-th agent of `role` ("pub" or "sub") and waits (bounded)
  // until it reports its control endpoint. The slot decides the host when
  // there are several. Throws std::runtime_error naming what went wrong.
  virtual LaunchedAgent spawn(const std::string& role, int slot,
                              std::chrono::milliseconds timeout) = 0;
  // False once the agent exited, or its host is gone.
  virtual bool alive(const LaunchedAgent& a) = 0;
  virtual void kill(const LaunchedAgent& a, std::chrono::milliseconds grace) = 0;
  virtual void kill_all(std::chrono::milliseconds grace) = 0;

  // The control client for an agent (CURVE keys when its host needs them).
  virtual std::unique_ptr<AgentClient> client(zmq::context_t& ctx, const LaunchedAgent& a) {
    return std::make_unique<AgentClient>(ctx, a.endpoint);
  }

  // Every host's counters now, keyed by its daemon's endpoint (as
  // LaunchedAgent::host names it): {"tcp://10.0.0.2:7700": {hostname, alive,
  // clock_offset_ms, clock_uncertainty_ms, cpu_busy_ns, cpu_total_ns, cores,
  // net_rx_bytes, net_tx_bytes}}; null when everything runs on this host.
  virtual nlohmann::json hosts_snapshot() { return nullptr; }

  // Why the sweep cannot go on: a role the run needs has no live host left;
  // "" while it can.
  virtual std::string exhausted() const { return ""; }
};

// This host: forwards to an AgentLauncher (which keeps the process details).
class LocalLauncher final : public Launcher {
 public:
  explicit LocalLauncher(AgentLauncher& local) : local_(local) {}
  LaunchedAgent spawn(const std::string& role, int, std::chrono::milliseconds timeout) override {
    return local_.spawn(role, timeout);
  }
  bool alive(const LaunchedAgent& a) override { return local_.alive(a.pid); }
  void kill(const LaunchedAgent& a, std::chrono::milliseconds grace) override {
    local_.kill(a.pid, grace);
  }
  void kill_all(std::chrono::milliseconds grace) override { local_.kill_all(grace); }

 private:
  AgentLauncher& local_;
};

}  // namespace hydra
