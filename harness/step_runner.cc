#include "harness/step_runner.h"

#include "common/clock.h"
#include "harness/step_run.h"

namespace hydra {

StepRunner::StepRunner(AgentFleet& fleet, Reporter& reporter,
                       std::chrono::steady_clock::time_point run_start,
                       std::function<double(double)> eta, StepLimits limits)
    : fleet_(fleet),
      reporter_(reporter),
      run_start_(run_start),
      eta_(std::move(eta)),
      limits_(limits) {}

StepResult StepRunner::run(const StepPlan& plan) {
  timings_ = {};
  StepRun step(StepEnv{fleet_, reporter_, run_start_, eta_, timeline_, limits_, warm_, timings_},
               plan);
  const int64_t started_ns = wall_ns();
  StepResult result = step.run();
  result.started_ns = started_ns;
  result.ended_ns = wall_ns();
  return result;
}

}  // namespace hydra
