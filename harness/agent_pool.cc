#include "harness/agent_pool.h"

#include <thread>

namespace hydra {

std::string AgentHandle::describe() const {
  return std::string(proc.role == "pub" ? "publisher agent"
                                        : "sub agent " + std::to_string(index)) +
         " (pid " + std::to_string(proc.pid) + ")";
}

AgentPool::AgentPool(AgentLauncher& launcher, zmq::context_t& ctx)
    : launcher_(launcher), ctx_(ctx) {}

AgentPool::~AgentPool() {
  shutdown_all(std::chrono::milliseconds(2000));
}

std::unique_ptr<AgentHandle> AgentPool::spawn(const std::string& role, int index,
                                              std::chrono::milliseconds timeout) {
  auto h = std::make_unique<AgentHandle>();
  h->proc = launcher_.spawn(role, timeout);
  h->client = std::make_unique<AgentClient>(ctx_, h->proc.endpoint);
  h->index = index;
  return h;
}

void AgentPool::ensure(int subscribers, std::chrono::milliseconds spawn_timeout) {
  auto healthy = [&](const std::unique_ptr<AgentHandle>& a) {
    return a && !a->failed && launcher_.alive(a->proc.pid);
  };
  if (!healthy(pub_)) {
    if (pub_) launcher_.kill(pub_->proc.pid, std::chrono::milliseconds(500));
    pub_ = spawn("pub", 0, spawn_timeout);
  }
  // Extra agents from a bigger earlier step: let them go, they hold memory.
  while (int(subs_.size()) > subscribers) {
    launcher_.kill(subs_.back()->proc.pid, std::chrono::milliseconds(1000));
    subs_.pop_back();
  }
  for (int i = 0; i < int(subs_.size()); ++i) {
    if (!healthy(subs_[size_t(i)])) {
      launcher_.kill(subs_[size_t(i)]->proc.pid, std::chrono::milliseconds(500));
      subs_[size_t(i)] = spawn("sub", i, spawn_timeout);
    }
  }
  while (int(subs_.size()) < subscribers)
    subs_.push_back(spawn("sub", int(subs_.size()), spawn_timeout));
}

std::vector<AgentHandle*> AgentPool::subscribers() {
  std::vector<AgentHandle*> v;
  for (auto& s : subs_) v.push_back(s.get());
  return v;
}

void AgentPool::discard(AgentHandle& a) {
  a.failed = true;
  launcher_.kill(a.proc.pid, std::chrono::milliseconds(500));
}

void AgentPool::shutdown_all(std::chrono::milliseconds timeout) {
  std::vector<AgentHandle*> live;
  for (AgentHandle* a : subscribers())
    if (!a->failed && launcher_.alive(a->proc.pid)) live.push_back(a);
  if (pub_ && !pub_->failed && launcher_.alive(pub_->proc.pid)) live.push_back(pub_.get());
  // The launcher is not thread-safe; only the requests go out in parallel.
  parallel(live, [&](AgentHandle& a) { a.client->call(proto::Command::kShutdown, timeout); });
  launcher_.kill_all(timeout);
  subs_.clear();
  pub_.reset();
}

void AgentPool::parallel(const std::vector<AgentHandle*>& agents,
                         const std::function<void(AgentHandle&)>& fn) {
  std::vector<std::thread> threads;
  threads.reserve(agents.size());
  for (AgentHandle* a : agents) threads.emplace_back([&fn, a] { fn(*a); });
  for (auto& t : threads) t.join();
}

}  // namespace hydra
