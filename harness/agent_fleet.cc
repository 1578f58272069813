#include "harness/agent_fleet.h"

#include <thread>

namespace hydra {

std::vector<Reply> AgentFleet::call_all(const std::vector<FleetAgent*>& agents, proto::Command cmd,
                                        const std::function<nlohmann::json(size_t)>& body,
                                        std::chrono::milliseconds timeout) {
  std::vector<Reply> replies(agents.size());
  std::vector<nlohmann::json> bodies;
  bodies.reserve(agents.size());
  for (size_t i = 0; i < agents.size(); ++i) bodies.push_back(body(i));
  if (agents.size() == 1) {  // no thread for the common single-agent step
    replies[0] = call(*agents[0], cmd, bodies[0], timeout);
    return replies;
  }
  std::vector<std::thread> threads;
  threads.reserve(agents.size());
  for (size_t i = 0; i < agents.size(); ++i)
    threads.emplace_back([&, i] { replies[i] = call(*agents[i], cmd, bodies[i], timeout); });
  for (auto& t : threads) t.join();
  return replies;
}

}  // namespace hydra
