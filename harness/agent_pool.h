// The real agent fleet (agent_fleet.h): hydra-agent processes, as many
// publisher and subscriber agents as the current step needs, reused across
// steps while they are healthy, replaced when they failed, and all torn down
// at the end. Requests go over ZeroMQ (agent_client.h), each with its own
// timeout; cmd_run.cc builds one per run.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "harness/agent_client.h"
#include "harness/agent_fleet.h"
#include "harness/agent_launcher.h"
#include "harness/launcher.h"

namespace hydra {

struct AgentHandle final : FleetAgent {
  LaunchedAgent proc;
  std::unique_ptr<AgentClient> client;
  bool failed = false;  // stopped answering or died: replaced before the next step
  // "sub agent 3 (pid 1234 on tcp://10.0.0.2:7700)", "publisher agent 1 (pid 1200)";
  // publisher agent 0 is "publisher agent (pid ...)", as when there was only one.
  std::string describe() const override;
  // Pids of different hosts may be equal: the host's index makes them unique.
  int64_t id() const override { return (int64_t(proc.host_index + 1) << 32) | proc.pid; }
  int index = 0;
};

class AgentPool final : public AgentFleet {
 public:
  // Agents on this host.
  AgentPool(AgentLauncher& launcher, zmq::context_t& ctx);
  // Agents wherever `launcher` puts them (launcher.h).
  AgentPool(Launcher& launcher, zmq::context_t& ctx);
  ~AgentPool() override;

  void ensure(int publishers, int subscribers, std::chrono::milliseconds spawn_timeout) override;
  std::vector<FleetAgent*> publishers() override;
  std::vector<FleetAgent*> subscribers() override;
  // Marks an agent failed and kills it (its replacement comes with ensure()).
  void discard(FleetAgent& a) override;
  std::string signal(FleetAgent& a, int sig) override;
  Reply call(FleetAgent& a, proto::Command cmd, const nlohmann::json& body,
             std::chrono::milliseconds timeout) override;
  // Sends to every agent, then waits on all their sockets at once in this
  // thread (zmq_poll): hundreds of agents without a thread each.
  std::vector<Reply> call_all(const std::vector<FleetAgent*>& agents, proto::Command cmd,
                              const std::function<nlohmann::json(size_t i)>& body,
                              std::chrono::milliseconds timeout) override;

  std::string host_of(const FleetAgent& a) const override;
  nlohmann::json hosts_snapshot() override { return launcher_.hosts_snapshot(); }

  // Asks every agent to shut down (bounded), then kills what is left.
  void shutdown_all(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<AgentHandle> spawn(const std::string& role, int index,
                                     std::chrono::milliseconds timeout);

  std::unique_ptr<LocalLauncher> own_;  // with the first constructor
  Launcher& launcher_;
  zmq::context_t& ctx_;
  // Brings `agents` of `role` to exactly `n` healthy ones.
  void ensure_role(std::vector<std::unique_ptr<AgentHandle>>& agents, const std::string& role,
                   int n, std::chrono::milliseconds spawn_timeout);

  std::vector<std::unique_ptr<AgentHandle>> pubs_;
  std::vector<std::unique_ptr<AgentHandle>> subs_;
};

}  // namespace hydra
