#include "harness/step_runner.h"

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
  return step.run();
}

}  // namespace hydra
