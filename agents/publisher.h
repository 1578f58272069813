// The publisher agent's role: an open-loop sender at a constant rate. Each
// message carries the Hydra header (per-partition sequence, intended and
// actual send time); send delay and ack latency are recorded from the
// intended time, so a stalled sender shows its stall (no coordinated
// omission). All counters live on the sending thread; control requests reach
// them through a Mailbox.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agents/agent_role.h"
#include "agents/driver_registry.h"
#include "agents/payload/payload.h"
#include "agents/transport.h"
#include "common/clock.h"
#include "common/mailbox.h"
#include "common/protocol.h"
#include "common/rate_limiter.h"
#include "common/stats.h"

namespace hydra {

class Publisher final : public AgentRole {
 public:
  // `drivers`: where the configuration's driver is looked up (hydra-agent
  // passes builtin_drivers(); tests a registry of fakes). On start the
  // publisher makes its producer through that driver and asks it which
  // partition each key goes to.
  Publisher(DriverRegistry drivers, Clock& clock);
  ~Publisher() override;

  const char* role() const override { return "pub"; }
  proto::AgentState state() const override;
  nlohmann::json configure(const nlohmann::json& config) override;
  nlohmann::json start() override;
  nlohmann::json stop() override;
  nlohmann::json status() override;
  nlohmann::json stats(const nlohmann::json& request) override;
  nlohmann::json reset(const nlohmann::json& request) override;

 private:
  void run();  // the sending thread
  void on_delivery(const void* value, size_t len, bool ok);
  void zero_counters();
  // After the loop stops: the window's slots the schedule called for well
  // before `stop_ns` (over 10 ms) that were never sent (the loop was blocked: a full queue, a
  // transaction's commit) count as unsent, each with the delay it had reached
  // at the stop in send_delay (a lower bound), so a stall that outlives the
  // window still shows in the schedule slip.
  void count_unsent(const RateLimiter& limiter, int64_t stop_ns);
  nlohmann::json snapshot_json();

  DriverRegistry drivers_;
  Clock& clock_;
  mutable std::mutex mu_;  // guards state_, config_, error_ (control side)
  proto::AgentState state_ = proto::AgentState::kIdle;
  proto::PublisherConfig config_;
  std::string error_;

  std::unique_ptr<MessagingDriver> messaging_;  // outlives driver_, made from it
  std::unique_ptr<ProducerDriver> driver_;
  std::unique_ptr<PayloadWriter> payload_;  // made on start (a payload file is read then)
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Mailbox mailbox_;

  // Owned by the sending thread while it runs (via the mailbox otherwise).
  PublisherStats stats_;
  int topics_ = 1;                     // topics in config_.topic (common/topics.h)
  std::vector<uint64_t> next_seq_;     // per stream (topic index x partitions + partition)
  std::vector<uint64_t> window_from_;  // per partition
  bool in_window_ = false;             // reset seen since start: messages carry kFlagInWindow
  uint64_t cpu_at_reset_ = 0;
  uint64_t tx_at_reset_ = 0;
  uint64_t rx_at_reset_ = 0;
  int64_t stopped_ns_ = 0;
  std::atomic<int64_t> stop_requested_ns_{0};  // when stop() was asked (control thread)
  uint64_t cpu_at_stop_ = 0;
  // Delivery reports share one clock reading per burst (see on_delivery).
  int64_t dr_now_ = 0;
  bool dr_clock_fresh_ = false;
  int dr_since_clock_ = 0;
  int dr_refresh_every_ = 64;
};

}  // namespace hydra
