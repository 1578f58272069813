// The subscriber agent's role: hosts K subscriber clients (each its own
// consumer) on a few threads (ClientLoop, subscriber_loop.h: one per 50
// clients, 1..4, by default) and answers for all of them. HYDRA ran 10 clients per subscriber
// app; Hydra makes K a setting (subscribers.clients_per_agent, 100 by default). No request
// starts a thread: resets and snapshots run on the loops' own threads, and
// live progress reads counters the loops publish.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "agents/agent_role.h"
#include "agents/driver_registry.h"
#include "agents/subscriber_client.h"
#include "agents/subscriber_loop.h"
#include "agents/transport.h"
#include "common/protocol.h"

namespace hydra {

class Subscriber final : public AgentRole {
 public:
  // `drivers`: where the configuration's driver is looked up (hydra-agent
  // passes builtin_drivers(); tests a registry of fakes). On start each
  // client makes its consumer through that driver; a client is ready when
  // its consumer says so (ConsumerDriver::ready).
  // `loops`: threads hosting the clients (0: default_loops(clients)).
  explicit Subscriber(DriverRegistry drivers, int loops = 0);
  static int default_loops(int clients);
  ~Subscriber() override;

  const char* role() const override { return "sub"; }
  proto::AgentState state() const override;
  nlohmann::json configure(const nlohmann::json& config) override;
  nlohmann::json start() override;
  nlohmann::json stop() override;
  nlohmann::json status() override;
  nlohmann::json stats(const nlohmann::json& request) override;
  nlohmann::json reset(const nlohmann::json& request) override;

 private:
  void stop_clients();
  // Runs fn(client) for every client on its loop's thread; returns how many
  // loops did not answer within `timeout`.
  int on_loops(const std::function<void(SubscriberClient&)>& fn, std::chrono::milliseconds timeout);

  DriverRegistry drivers_;
  const int loops_wanted_;
  mutable std::mutex mu_;  // one control request at a time touches clients_
  proto::AgentState state_ = proto::AgentState::kIdle;
  proto::SubscriberConfig config_;
  std::vector<std::unique_ptr<SubscriberClient>> clients_;
  std::vector<std::unique_ptr<ClientLoop>> loops_;
  uint64_t cpu_at_reset_ = 0;
  int64_t reset_mono_ns_ = 0;
  std::string processing_note_;
};

}  // namespace hydra
