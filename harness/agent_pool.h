// The agents a run uses: one publisher and as many subscriber agents as the
// current step needs, reused across steps while they are healthy, replaced
// when they failed, and all torn down at the end. Requests to many agents go
// out in parallel, each with its own timeout.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "harness/agent_client.h"
#include "harness/agent_launcher.h"

namespace hydra {

struct AgentHandle {
  LaunchedAgent proc;
  std::unique_ptr<AgentClient> client;
  bool failed = false;           // stopped answering or died: replaced before the next step
  std::string describe() const;  // "sub agent 3 (pid 1234)"
  int index = 0;
};

class AgentPool {
 public:
  AgentPool(AgentLauncher& launcher, zmq::context_t& ctx);
  ~AgentPool();

  // One healthy publisher and exactly `subscribers` healthy subscriber agents
  // afterwards. Throws std::runtime_error when an agent cannot be started.
  void ensure(int subscribers, std::chrono::milliseconds spawn_timeout);

  AgentHandle& publisher() { return *pub_; }
  std::vector<AgentHandle*> subscribers();

  // Marks an agent failed and kills it (its replacement comes with ensure()).
  void discard(AgentHandle& a);

  // Asks every agent to shut down (bounded), then kills what is left.
  void shutdown_all(std::chrono::milliseconds timeout);

  // Runs fn(agent) for each agent concurrently and waits for all.
  static void parallel(const std::vector<AgentHandle*>& agents,
                       const std::function<void(AgentHandle&)>& fn);

 private:
  std::unique_ptr<AgentHandle> spawn(const std::string& role, int index,
                                     std::chrono::milliseconds timeout);

  AgentLauncher& launcher_;
  zmq::context_t& ctx_;
  std::unique_ptr<AgentHandle> pub_;
  std::vector<std::unique_ptr<AgentHandle>> subs_;
};

}  // namespace hydra
