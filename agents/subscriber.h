// The subscriber agent's role: hosts K subscriber clients (each its own
// consumer and thread) and answers for all of them. HYDRA ran 10 clients per
// subscriber app; Hydra makes K a setting (subscribers.clients_per_agent).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "agents/agent_role.h"
#include "agents/driver_registry.h"
#include "agents/subscriber_client.h"
#include "agents/transport.h"
#include "common/protocol.h"

namespace hydra {

class Subscriber final : public AgentRole {
 public:
  // `drivers`: where the configuration's driver is looked up (hydra-agent
  // passes builtin_drivers(); tests a registry of fakes). On start each
  // client makes its consumer through that driver; a client is ready when
  // its consumer says so (ConsumerDriver::ready).
  explicit Subscriber(DriverRegistry drivers);
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

  DriverRegistry drivers_;
  mutable std::mutex mu_;  // one control request at a time touches clients_
  proto::AgentState state_ = proto::AgentState::kIdle;
  proto::SubscriberConfig config_;
  std::vector<std::unique_ptr<SubscriberClient>> clients_;
  uint64_t cpu_at_reset_ = 0;
  int64_t reset_mono_ns_ = 0;
  std::string processing_note_;
};

}  // namespace hydra
