// Runs the steps of a run, one after the other, against an agent fleet
// (agent_fleet.h); docs/contracts.md "A step" says what a step is. Each step
// is one StepRun (step_run.h), which goes through the phases in order; what
// outlives a step lives here: subscriber agents left running warm for the
// next step of the same shape, the timings of the last step, the bounds, and
// the timed actions of the measured window (timeline.h). Called by cmd_run.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "harness/agent_fleet.h"
#include "harness/reporter.h"
#include "harness/scenario.h"
#include "harness/step_result.h"
#include "harness/sweep.h"
#include "harness/timeline.h"

namespace hydra {

struct StepPlan {
  const Step* step = nullptr;
  int repeat = 0;
  int index = 1;  // 1-based among all step runs
  int total = 1;
  std::string bootstrap;     // brokers the agents connect to
  std::string topic;         // topic for this step (already created)
  uint32_t producer_id = 1;  // unique within the run
  std::string group_prefix;  // unique within the run
};

struct StepTimings {
  double spawn_s = 0, configure_s = 0, barrier_s = 0, drain_s = 0, collect_s = 0;
  double overhead_s() const { return spawn_s + configure_s + barrier_s + drain_s + collect_s; }
};

// The bounds of a step's waits that do not come from the scenario. The
// defaults are the contract; tests shorten the barrier to test its failure.
struct StepLimits {
  // Readiness barrier: every client ready within base + per_client x clients s.
  double barrier_base_s = 30;
  double barrier_per_client_s = 0.05;
  // Longest wait for the fleet to start its agents.
  double spawn_timeout_s = 15;
  // Live progress is sampled about this often during warm-up, measure, drain.
  double sample_interval_s = 1;
  // The drain ends when no client received anything for this long.
  double drain_quiet_s = 1;
};

// A subscriber agent a step left running, ready for reuse by the next step
// whose subscriber configuration has the same shape.
struct WarmAgent {
  std::string shape;   // the configuration, less what may differ (group names)
  std::string device;  // what its configure reply said about processing
  std::string note;
};
using WarmAgents = std::map<int64_t, WarmAgent>;  // by FleetAgent::id()

class StepRunner {
 public:
  // eta(): the run's estimated time left, given the current step's progress.
  StepRunner(AgentFleet& fleet, Reporter& reporter, std::chrono::steady_clock::time_point run_start,
             std::function<double(double step_fraction)> eta, StepLimits limits = {});

  // Timed actions for the measured window of every following step; null (the
  // default) for none. Not owned.
  void set_timeline(ActionTimeline* timeline) { timeline_ = timeline; }

  StepResult run(const StepPlan& plan);
  const StepTimings& timings() const { return timings_; }

 private:
  AgentFleet& fleet_;
  Reporter& reporter_;
  std::chrono::steady_clock::time_point run_start_;
  std::function<double(double)> eta_;
  StepLimits limits_;
  ActionTimeline* timeline_ = nullptr;
  StepTimings timings_;
  WarmAgents warm_;
};

}  // namespace hydra
