// The scenario's faults (faults.h) as the step runner's timed actions
// (timeline.h): each fault starts at its at_s into the measured window and,
// when it lasts, ends for_s later (broker back up, delay removed, agent
// resumed). Broker faults act on the embedded broker (fault_broker.h), agent
// faults through the fleet (signals) and the step (so it stops asking a
// killed agent and leaves a paused one alone), commands on a thread of their
// own (fault_command.h). Whatever is still in force when the window closes is
// undone then. record() says what was applied when, relative to the window's
// start, and what failed; the step writes it into its results. Made by
// `hydra run` (cmd_run.cc) for every step that has faults.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/embedded_broker.h"
#include "harness/fault_command.h"
#include "harness/faults.h"
#include "harness/timeline.h"

namespace hydra {

class FaultTimeline final : public ActionTimeline {
 public:
  // `broker`: the step's embedded broker; null on a real cluster (where
  // check_faults_for_step() refuses broker faults).
  FaultTimeline(std::vector<FaultSpec> faults, EmbeddedBroker* broker);
  ~FaultTimeline() override;

  void window_opened(const TimelineContext& ctx) override;
  double next_due_s(double window_s) const override;
  void tick(double window_s) override;
  void window_closed() override;
  // [{index, action, description, at_s, started_s, ended_s, window: [from_s,
  // until_s], detail, error, command}] (times: s since the window opened).
  nlohmann::json record() const override;

 private:
  struct Applied {
    std::optional<double> started_s, ended_s;
    std::string error;
    nlohmann::json detail;  // what the action resolved to (a new leader, ...)
    std::optional<CommandOutcome> command;
  };

  double since_window_s() const;
  void start(size_t i);
  void end(size_t i);
  bool lasts(const FaultSpec& f) const;
  FleetAgent* agent_of(const FaultSpec& f) const;
  void join_commands();

  std::vector<FaultSpec> faults_;
  EmbeddedBroker* broker_;
  TimelineContext ctx_;
  std::vector<Applied> applied_;
  mutable std::mutex mu_;  // guards applied_[*].command (set by command threads)
  std::vector<std::thread> commands_;
};

}  // namespace hydra
