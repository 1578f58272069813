// The agents a step talks to, as the step runner (step_run.h) sees them: as
// many publisher and subscriber agents as the step needs, each reached by
// a control request with its own timeout. Two fleets implement it: the real
// one, agent processes over ZeroMQ (agent_pool.h), and an in-process one the
// runner's unit tests use (tests/harness/inprocess_fleet.h), so the runner's
// phases are tested without processes or a broker.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/protocol.h"
#include "harness/agent_client.h"

namespace hydra {

// One agent of a fleet.
class FleetAgent {
 public:
  virtual ~FleetAgent() = default;
  // For messages: "sub agent 3 (pid 1234)".
  virtual std::string describe() const = 0;
  // Names this agent for as long as it lives (a process id for the real
  // fleet); a replacement gets a new one, so the runner can tell a warm agent
  // it left running from a fresh one in the same slot.
  virtual int64_t id() const = 0;
};

class AgentFleet {
 public:
  virtual ~AgentFleet() = default;

  // Exactly `publishers` healthy publisher agents and `subscribers` healthy
  // subscriber agents afterwards. Throws std::runtime_error when an agent
  // cannot be started.
  virtual void ensure(int publishers, int subscribers, std::chrono::milliseconds spawn_timeout) = 0;

  // By index (publisher agent 0 first); as many as the last ensure() asked.
  virtual std::vector<FleetAgent*> publishers() = 0;
  virtual std::vector<FleetAgent*> subscribers() = 0;
  // Publisher agent 0.
  FleetAgent& publisher() { return *publishers().at(0); }

  // Gives up on an agent that failed: it is stopped and replaced by the next
  // ensure().
  virtual void discard(FleetAgent& agent) = 0;

  // Sends a POSIX signal to an agent (a fault timeline's kill and pause:
  // SIGKILL, SIGSTOP, SIGCONT). "" when sent, else why not.
  virtual std::string signal(FleetAgent& agent, int sig) {
    (void)agent, (void)sig;
    return "this fleet cannot signal its agents";
  }

  // One control request. A reply that does not come within `timeout` is
  // unanswered (Reply::answered false). Safe to call concurrently for
  // different agents.
  virtual Reply call(FleetAgent& agent, proto::Command cmd, const nlohmann::json& body,
                     std::chrono::milliseconds timeout) = 0;

  // Where an agent runs: "" on this host, else its host's name (the agent
  // daemon's endpoint). The step JSON records it for every client.
  virtual std::string host_of(const FleetAgent&) const { return ""; }
  // Every host's counters now (Launcher::hosts_snapshot, launcher.h); null
  // when everything runs on this host.
  virtual nlohmann::json hosts_snapshot() { return nullptr; }

  // The same command to each of `agents` at once, the body of each from
  // body(i); waits for all and returns the replies in the same order.
  // Virtual: the real fleet waits on all agents' sockets in one thread.
  virtual std::vector<Reply> call_all(const std::vector<FleetAgent*>& agents, proto::Command cmd,
                                      const std::function<nlohmann::json(size_t i)>& body,
                                      std::chrono::milliseconds timeout);
};

}  // namespace hydra
