// Agents on other hosts, through the `hydra-agent serve` daemon of each
// (agents/daemon.h; its commands: agents/daemon_protocol.h). On connecting,
// the launcher opens a session on every daemon (a daemon serving another
// controller refuses), measures the daemon's clock offset to this host's
// (several four-timestamp exchanges; the one with the smallest round trip
// is kept, its half round trip is the uncertainty), and keeps the session's
// lease alive from one heartbeat thread per host. Agents are placed by
// place() (launcher_hosts.h) over the live hosts; each agent is told the
// offset so its timestamps are on the controller's clock.
//
// A host whose heartbeat goes unanswered for the control timeout is dead: its
// agents count as exited, no new agent goes there, and when a role has no
// live host left exhausted() says so and the run stops.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/launcher.h"
#include "harness/launcher_hosts.h"

namespace hydra {

// One daemon's clock against this host's: offset = daemon clock - ours.
struct ClockOffset {
  double offset_ms = 0;
  double uncertainty_ms = 0;  // half the smallest round trip
  double rtt_ms = 0;
};

class DaemonLauncher : public Launcher {
 public:
  DaemonLauncher(HostsConfig cfg, int control_timeout_ms);
  ~DaemonLauncher() override;

  // Opens a session on every daemon and measures its clock. Throws
  // std::runtime_error naming the daemon that did not answer or refused.
  void connect_all();

  LaunchedAgent spawn(const std::string& role, int slot,
                      std::chrono::milliseconds timeout) override;
  bool alive(const LaunchedAgent& a) override;
  void kill(const LaunchedAgent& a, std::chrono::milliseconds grace) override;
  void kill_all(std::chrono::milliseconds grace) override;
  std::unique_ptr<AgentClient> client(zmq::context_t& ctx, const LaunchedAgent& a) override;
  nlohmann::json hosts_snapshot() override;
  std::string exhausted() const override;

  // Measures one daemon's clock offset with `exchanges` time requests.
  static ClockOffset measure_clock(AgentClient& daemon, int exchanges,
                                   std::chrono::milliseconds timeout);

  const std::vector<HostSpec>& hosts() const { return cfg_.hosts; }
  ClockOffset clock(size_t host) const { return remotes_[host]->clock; }
  bool host_alive(size_t host) const { return !remotes_[host]->dead.load(); }

 protected:
  // Ends every session (bye: the daemons stop this run's agents); idempotent.
  void disconnect();
  // The daemon endpoint of host i (the ssh launcher learns it when it starts
  // the daemon).
  void set_endpoint(size_t i, const std::string& endpoint) { remotes_[i]->endpoint = endpoint; }
  const HostsConfig& config() const { return cfg_; }

 private:
  struct Remote {
    std::string endpoint;
    std::string address;  // the host part: where its agents are reached
    std::optional<ClientAuth> auth;
    std::unique_ptr<AgentClient> ctl;   // the controller thread's requests
    std::unique_ptr<AgentClient> beat;  // the heartbeat thread's
    std::string session;
    std::string hostname;
    ClockOffset clock;
    std::atomic<bool> dead{false};
    std::string why_dead;  // written by the heartbeat thread before `dead`
    std::thread heartbeat;
  };
  Reply call(Remote& r, const std::string& cmd, nlohmann::json body);
  void heartbeat_loop(Remote& r);
  void mark_dead(Remote& r, const std::string& why);

  HostsConfig cfg_;
  std::chrono::milliseconds timeout_;
  zmq::context_t ctx_;
  std::vector<std::unique_ptr<Remote>> remotes_;
  std::atomic<bool> stop_{false};
  bool connected_ = false;
};

}  // namespace hydra
