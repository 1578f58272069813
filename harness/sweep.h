// Sweeps: the steps a scenario runs, and the text `hydra validate` prints.
//
// A scenario's `sweep` is the cartesian product of its axes, first axis
// outermost: {"subscribers.clients": [10, 50], "publisher.rate": [1000, 2000]}
// runs (10, 1000), (10, 2000), (50, 1000), (50, 2000). The controller runs
// `expand_steps()` once before starting anything, so every step is checked
// (including combinations that only a swept value makes impossible) before
// the first broker or agent starts.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scenario.h"

namespace hydra {

// One point of the sweep.
struct Step {
  // 0-based, in run order.
  int index = 0;
  // (dotted key, value) of every sweep axis at this step, in axis order; these
  // are the leading columns of results.csv.
  std::vector<std::pair<std::string, nlohmann::ordered_json>> swept;
  // The scenario of this step alone: the base with the swept keys set, parsed
  // again; its `sweep` is empty and its `resolved` is the step's document.
  Scenario scenario;
};

// Largest number of steps expand_steps() accepts (a typo in a sweep should
// not allocate a billion scenarios).
inline constexpr size_t kMaxSteps = 100000;

// The steps of a scenario: one without a sweep, else the product of its axes.
// Throws ScenarioError naming the value that makes a step impossible, e.g.
//   smoke.json: sweep topic.replication[1]: 3 is more than broker.embedded.brokers (1)
//   smoke.json: step 2 (broker.embedded.brokers=1): topic.replication: 3 is more than ...
std::vector<Step> expand_steps(const Scenario& scenario);

// The text `hydra validate` prints: scenario, broker, topic, sweep axes, a
// table with one line per step (swept values, client_count, rate, subscriber
// agents) and the estimated wall time, steps x repeats x (warm-up + duration +
// ~3 s of set-up and drain).
std::string describe_steps(const Scenario& scenario, const std::vector<Step>& steps);

// Estimated seconds a run of these steps takes (the figure describe_steps prints).
double estimated_run_seconds(const std::vector<Step>& steps);

}  // namespace hydra
