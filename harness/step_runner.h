// Runs one step of a sweep against live agents (DESIGN.md "A step"):
// configure -> start subscribers -> readiness barrier -> start publisher ->
// warm-up -> reset -> measure -> stop publisher -> drain -> collect -> stop.
// Every wait is bounded; an agent that does not answer makes its clients
// failing for the step, and the step still returns a result saying so.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "harness/agent_pool.h"
#include "harness/reporter.h"
#include "harness/scenario.h"
#include "harness/step_result.h"
#include "harness/sweep.h"

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

class StepRunner {
 public:
  // eta(): the run's estimated time left, given the current step's progress.
  StepRunner(AgentPool& pool, Reporter& reporter, std::chrono::steady_clock::time_point run_start,
             std::function<double(double step_fraction)> eta);

  StepResult run(const StepPlan& plan);
  const StepTimings& timings() const { return timings_; }

 private:
  AgentPool& pool_;
  Reporter& reporter_;
  std::chrono::steady_clock::time_point run_start_;
  std::function<double(double)> eta_;
  StepTimings timings_;
  // Subscriber agents left running by the previous step: pid -> the shape of
  // their configuration and what their configure reply said.
  struct Running {
    std::string shape, device, note;
  };
  std::map<pid_t, Running> running_;
};

}  // namespace hydra
