#include "harness/agent_pool.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

namespace hydra {

std::string AgentHandle::describe() const {
  return std::string(proc.role == "pub"
                         ? "publisher agent" + (index ? " " + std::to_string(index) : "")
                         : "sub agent " + std::to_string(index)) +
         " (pid " + std::to_string(proc.pid) + (proc.host.empty() ? "" : " on " + proc.host) + ")";
}

AgentPool::AgentPool(AgentLauncher& launcher, zmq::context_t& ctx)
    : own_(std::make_unique<LocalLauncher>(launcher)), launcher_(*own_), ctx_(ctx) {}

AgentPool::AgentPool(Launcher& launcher, zmq::context_t& ctx) : launcher_(launcher), ctx_(ctx) {}

std::string AgentPool::host_of(const FleetAgent& a) const {
  return static_cast<const AgentHandle&>(a).proc.host;
}

AgentPool::~AgentPool() {
  shutdown_all(std::chrono::milliseconds(2000));
}

std::unique_ptr<AgentHandle> AgentPool::spawn(const std::string& role, int index,
                                              std::chrono::milliseconds timeout) {
  auto h = std::make_unique<AgentHandle>();
  h->proc = launcher_.spawn(role, index, timeout);
  h->client = launcher_.client(ctx_, h->proc);
  h->index = index;
  return h;
}

void AgentPool::ensure_role(std::vector<std::unique_ptr<AgentHandle>>& agents,
                            const std::string& role, int n,
                            std::chrono::milliseconds spawn_timeout) {
  auto healthy = [&](const std::unique_ptr<AgentHandle>& a) {
    return a && !a->failed && launcher_.alive(a->proc);
  };
  // Extra agents from a bigger earlier step: let them go, they hold memory.
  while (int(agents.size()) > n) {
    launcher_.kill(agents.back()->proc, std::chrono::milliseconds(1000));
    agents.pop_back();
  }
  for (int i = 0; i < int(agents.size()); ++i) {
    if (!healthy(agents[size_t(i)])) {
      launcher_.kill(agents[size_t(i)]->proc, std::chrono::milliseconds(500));
      agents[size_t(i)] = spawn(role, i, spawn_timeout);
    }
  }
  while (int(agents.size()) < n) agents.push_back(spawn(role, int(agents.size()), spawn_timeout));
}

void AgentPool::ensure(int publishers, int subscribers, std::chrono::milliseconds spawn_timeout) {
  ensure_role(pubs_, "pub", publishers, spawn_timeout);
  ensure_role(subs_, "sub", subscribers, spawn_timeout);
}

std::vector<FleetAgent*> AgentPool::publishers() {
  std::vector<FleetAgent*> v;
  for (auto& p : pubs_) v.push_back(p.get());
  return v;
}

std::vector<FleetAgent*> AgentPool::subscribers() {
  std::vector<FleetAgent*> v;
  for (auto& s : subs_) v.push_back(s.get());
  return v;
}

std::string AgentPool::signal(FleetAgent& agent, int sig) {
  const auto& a = static_cast<AgentHandle&>(agent);
  if (::kill(a.proc.pid, sig) != 0) return a.describe() + ": " + std::strerror(errno);
  return "";
}

void AgentPool::discard(FleetAgent& agent) {
  auto& a = static_cast<AgentHandle&>(agent);  // this fleet hands out only AgentHandles
  a.failed = true;
  launcher_.kill(a.proc, std::chrono::milliseconds(500));
}

Reply AgentPool::call(FleetAgent& agent, proto::Command cmd, const nlohmann::json& body,
                      std::chrono::milliseconds timeout) {
  return static_cast<AgentHandle&>(agent).client->call(cmd, body, timeout);
}

std::vector<Reply> AgentPool::call_all(const std::vector<FleetAgent*>& agents, proto::Command cmd,
                                       const std::function<nlohmann::json(size_t)>& body,
                                       std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  std::vector<Reply> replies(agents.size());
  std::vector<size_t> waiting;  // agents whose reply is still due
  for (size_t i = 0; i < agents.size(); ++i) {
    AgentClient& c = *static_cast<AgentHandle&>(*agents[i]).client;
    if (c.send(cmd, body(i), replies[i])) waiting.push_back(i);
  }
  const auto deadline = Clock::now() + timeout;
  std::vector<zmq::pollitem_t> items;
  while (!waiting.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    items.clear();
    for (size_t i : waiting)
      items.push_back({static_cast<AgentHandle&>(*agents[i]).client->socket(), 0, ZMQ_POLLIN, 0});
    try {
      zmq::poll(items.data(), items.size(), left);
    } catch (const zmq::error_t&) {
      continue;  // interrupted by a signal: wait on until the deadline
    }
    std::vector<size_t> still;
    for (size_t k = 0; k < waiting.size(); ++k) {
      const size_t i = waiting[k];
      if (items[k].revents & ZMQ_POLLIN)
        replies[i] = static_cast<AgentHandle&>(*agents[i]).client->receive(cmd);
      else
        still.push_back(i);
    }
    waiting.swap(still);
  }
  for (size_t i : waiting)
    replies[i] = static_cast<AgentHandle&>(*agents[i]).client->give_up(cmd, timeout);
  return replies;
}

void AgentPool::shutdown_all(std::chrono::milliseconds timeout) {
  std::vector<FleetAgent*> live;
  for (auto& a : subs_)
    if (!a->failed && launcher_.alive(a->proc)) live.push_back(a.get());
  for (auto& a : pubs_)
    if (!a->failed && launcher_.alive(a->proc)) live.push_back(a.get());
  // The launcher is not thread-safe; only the requests go out in parallel.
  call_all(
      live, proto::Command::kShutdown, [](size_t) { return nlohmann::json::object(); }, timeout);
  launcher_.kill_all(timeout);
  subs_.clear();
  pubs_.clear();
}

}  // namespace hydra
