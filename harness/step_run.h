// One step, run once: configure -> start subscribers -> readiness barrier ->
// start publishers -> warm-up -> reset -> measure -> stop publishers -> drain ->
// collect -> finish, one method per phase. Every wait is bounded; an agent
// that does not answer makes its clients failing for the step, and the step
// still returns a result saying so. Each phase returns false when the step
// must end there (a failure, an interrupt: the error names the phase); every
// exit goes through finish(), which stops what is still running. Made and run
// by StepRunner::run (step_runner.h), which keeps what outlives the step.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/process_usage.h"
#include "harness/agent_fleet.h"
#include "harness/reporter.h"
#include "harness/scenario.h"
#include "harness/step_result.h"
#include "harness/step_runner.h"
#include "harness/timeline.h"
#include "harness/wire_config.h"

namespace hydra {

// What a step borrows from its runner for its lifetime.
struct StepEnv {
  AgentFleet& fleet;
  Reporter& reporter;
  std::chrono::steady_clock::time_point run_start;
  const std::function<double(double)>& eta;
  ActionTimeline* timeline;  // null: no timed actions
  const StepLimits& limits;
  WarmAgents& warm;      // updated as the step starts and stops subscribers
  StepTimings& timings;  // filled as the phases end
};

class StepRun {
 public:
  StepRun(StepEnv env, const StepPlan& plan);
  StepResult run();

 private:
  using Clock = std::chrono::steady_clock;

  // One subscriber agent's share of the step's clients.
  struct SubscriberSlot {
    FleetAgent* agent = nullptr;
    int first_client = 0;
    int clients = 0;
    bool dead = false;  // stopped answering: its clients are failing
    bool warm = false;  // already running this step's configuration
    bool late = false;  // missed a sample cut short by the window's end: not asked until it closes
    bool paused = false;  // stopped by a fault (SIGSTOP): not asked until it is resumed
  };
  // One publisher agent: its own settings (publisher.generators, or its
  // share of publisher.rate) and producer id, and what it reported.
  struct PublisherSlot {
    FleetAgent* agent = nullptr;
    int index = 0;
    Scenario scenario;  // this agent's publisher settings (publisher_scenarios)
    uint32_t producer_id = 0;
    bool running = false;
    bool paused = false;                  // by a fault: not asked until resumed
    bool killed = false;                  // by a fault: its window cannot be collected
    bool dead = false;                    // stopped answering (discarded): not asked again
    uint64_t last_sent = 0;               // its sent at the last progress sample
    nlohmann::json window;                // the stop's window; null until then
    std::optional<PublisherStats> stats;  // its window's stats, once collected
  };
  // Counters summed over the light stats of all subscriber agents.
  struct LiveCounts {
    uint64_t unique = 0, lost = 0;
    uint64_t received = 0;  // everything polled, warm-up backlog included
  };

  // ---- the phases, in order
  bool start_agents();
  bool configure();
  bool start_subscribers();
  bool await_readiness();
  bool start_publishers();
  bool warm_up();
  bool reset_counters();
  bool measure();
  bool stop_publishers();
  void close_consumer_only_window();
  bool drain();
  bool collect();
  StepResult finish();

  // ---- the phases' parts
  struct Readiness {
    int ready_clients = 0;
    bool all_partitions_owned = false;
    bool errors = false;  // a client reported one (the step failed)
  };
  Readiness readiness(const std::vector<Reply>& status_replies);
  void collect_publishers();
  void add_publisher_figures(const PublisherSlot& p, const std::string& status);
  void collect_subscribers();
  // Many hosts: which agent and client ran where (after start_agents), each
  // host's CPU and network over the window (collect), and the clock check
  // (finish): a host whose clock-offset uncertainty exceeds agents.clock_share
  // of the step's p50 latency flags the step in its note.
  void record_placement();
  void collect_hosts();
  void check_clocks();
  bool configure_publishers();
  void find_warm_subscribers();
  bool configure_cold_subscribers();

  // ---- helpers
  // Sends one command to every live subscriber agent (those `which` selects,
  // when given) at once; a slot not asked gets a default Reply. One that does
  // not answer is marked dead.
  std::vector<Reply> call_subscribers(
      proto::Command cmd, const std::function<nlohmann::json(const SubscriberSlot&)>& body,
      std::chrono::milliseconds timeout,
      const std::function<bool(const SubscriberSlot&)>& which = nullptr);
  // The same to every publisher agent `which` selects (all when not given)
  // at once; a slot not asked gets a default Reply. Not bounded by the
  // window's end: the publishers' own calls are what closes it.
  std::vector<Reply> call_publishers(
      proto::Command cmd, const std::function<nlohmann::json(const PublisherSlot&)>& body,
      std::chrono::milliseconds timeout,
      const std::function<bool(const PublisherSlot&)>& which = nullptr);
  // "publisher agent" when the step has one, "publisher agent 2" when several.
  std::string name(const PublisherSlot& p) const;
  bool any_publisher_running() const;
  void discard(PublisherSlot& p);
  // Waits `seconds`, sampling progress about once a second; with a timeline,
  // also wakes for its actions and ticks it. False when the step must end.
  bool wait_sampling(const std::string& phase, double seconds, double offset,
                     ActionTimeline* timeline);
  // Reports live progress; false when the step must end (an interrupt, or the
  // publisher stopped answering).
  bool sample(const std::string& phase, double fraction, const nlohmann::json& window);
  void report_progress(const std::string& phase, double fraction, uint64_t sent,
                       const LiveCounts& live);
  // Reports a phase without traffic and what it waits for (no rates);
  // `fraction`: of the step done, for the ETA.
  void report_phase(const std::string& phase, const std::string& detail, double fraction = 0);
  // Seconds from now until t (negative when past).
  static double until(Clock::time_point t);
  // A call's timeout, bounded by the window's planned end while it is open and
  // shortened after an interrupt.
  std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) const;
  // True (and the step's error names `phase`) when the run was interrupted.
  bool interrupted_in(const std::string& phase);
  void fail(const std::string& why);
  void subscriber_failed(SubscriberSlot& slot, const std::string& why);
  void all_clients_unanswered();
  int live_clients() const;
  nlohmann::json subscriber_config(const SubscriberSlot& slot) const;
  std::string shape(const SubscriberSlot& slot) const;
  // What a fault did to one of the step's agents (timeline.h).
  void on_fault(FleetAgent& agent, AgentEvent event);

  StepEnv env_;
  const StepPlan& plan_;
  const Scenario& scenario_;
  const WireTarget target_;
  const std::chrono::milliseconds timeout_;  // of one control request
  StepResult result_;
  std::vector<std::string> problems_;  // joined into result_.error by finish()
  bool interrupt_noted_ = false;       // problems_ names the phase the interrupt hit
  // publisher.enabled: false makes a consumer-only step: no publisher agent
  // is configured, started or asked, and the subscribers count without a
  // window (what arrives, gaps between the sequences they see).
  const bool publishing_;

  // Publisher agent k sends as producer id publisher_producer_id(the
  // step's id, k) (wire_config.h).
  std::vector<PublisherSlot> publishers_;
  std::vector<SubscriberSlot> subscribers_;
  bool subscribers_started_ = false;
  Clock::time_point barrier_start_;

  // Progress sampling: the last sample's counters and when it was taken.
  uint64_t last_sent_ = 0;  // summed over the publishers
  LiveCounts last_live_;
  // The drain's first sample, right after the publisher's stop, also keeps
  // each partition's lag then: the lag at the window's end.
  bool lag_taken_ = false;
  void keep_partition_lag(const std::vector<Reply>& replies);
  // last_live_ is a sample of the clients' current counters (taken, or the
  // zeros of a reset): only then is a receive rate measured from it.
  bool live_baseline_ = false;
  Clock::time_point last_sample_;

  // The measured window: where it started (sent to the subscribers at reset:
  // every publisher's) and where it ended (at the publishers' stop: those
  // that reported one), and the controller's own
  // usage at its start.
  std::optional<Clock::time_point> window_end_;  // set while the window is open
  nlohmann::json window_from_;
  nlohmann::json series_;  // the per-second span publisher 0's reset opened
  nlohmann::json window_;
  ProcessUsage controller_at_reset_;
  nlohmann::json hosts_at_reset_;  // the fleet's host counters at the window's start
  int64_t controller_reset_ns_ = 0;
};

}  // namespace hydra
