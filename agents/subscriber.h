// The subscriber agent's role: hosts K subscriber clients (each its own
// consumer) on a few threads (ClientLoop, subscriber_loop.h: one per 50
// clients, 1..4, by default) and answers for all of them. HYDRA ran 10 clients per subscriber
// app; Hydra makes K a setting (subscribers.clients_per_agent, 100 by default). No request
// starts a thread: resets and snapshots run on the loops' own threads, and
// live progress reads counters the loops publish.
//
// Shared consumer groups (groups "shared"): the controller gives an agent
// whole groups (config.group_members per group); here every member of a
// group shares one sequence tracker and one loop thread, so the group's
// unique, lost and duplicates are exact, and stats answer one entry per group
// beside the members' own (see group_entry in subscriber.cc).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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

  // Crashes one shared-group member's consumer (no leave, no final commit,
  // as a killed process would) and lets it join again as a new member, which
  // resumes from the group's committed offsets; its counts go on. For tests
  // and fault injection in this process. Throws ProtocolError when the client
  // is not here, not in a shared group, or not running.
  void crash_member(int client_id);
  // The control request: {"client": id} -> crash_member(id).
  nlohmann::json crash(const nlohmann::json& request) override;

 private:
  void stop_clients();
  struct HostedGroup;
  // A shared group's stats entry; on the group's loop thread.
  nlohmann::json group_entry(const HostedGroup& g,
                             const std::vector<std::optional<ClientStats>>& snaps,
                             const std::vector<ProducerWindow>& windows) const;
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
  // Per loop, the indexes in clients_ of the clients it hosts, in its order.
  std::vector<std::vector<size_t>> hosted_;
  // Shared groups hosted here: a group's index (client id / group_members)
  // and its members' indexes in clients_, by group index.
  struct HostedGroup {
    int index = 0;
    size_t loop = 0;
    std::vector<size_t> members;
  };
  std::vector<HostedGroup> groups_;
  int64_t reset_wall_ns_ = 0;  // the window's start here: pauses before it are not its
  uint64_t cpu_at_reset_ = 0;
  int64_t reset_mono_ns_ = 0;
  std::string processing_note_;
};

}  // namespace hydra
