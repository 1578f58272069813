// What one step (one point of the sweep, one repeat) measured, as the step
// runner collected it from the agents: raw stats, no derived figures. The row
// computation (row.h) turns it into a results.csv row; the JSON reporter writes
// it whole into steps/<step>.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/stats.h"

namespace hydra {

// One shared consumer group (subscribers.groups "shared") as its subscriber
// agent counted it: the whole group's figures (its members' messages merged,
// loss and duplicates from the sequence tracker they share), who is in it,
// each member's partitions and its rebalances since the window opened.
struct GroupResult {
  int group = 0;             // index: client id / members per group
  std::string group_id;      // the consumer group's id
  std::vector<int> members;  // client ids
  ClientStats stats;         // the group's: unique, lost, duplicates, latency, ...
  nlohmann::json assignment = nlohmann::json::object();  // member id -> partitions
  int idle_members = 0;                                  // members with no partition
  int rebalances = 0;             // disjoint paused spans since the window opened
  double rebalance_pause_ms = 0;  // their summed length
  double rebalance_pause_max_ms = 0;

  nlohmann::json to_json() const;
  static GroupResult from_json(const nlohmann::json& j);
};

struct StepResult {
  int step = 0;    // index in the sweep
  int repeat = 0;  // repeat index
  // (dotted key, value) of every sweep axis, in sweep order.
  std::vector<std::pair<std::string, nlohmann::ordered_json>> swept;

  int client_count = 0;   // subscriber clients asked for (N)
  double msg_rate = 0;    // target publish rate, msg/s (0 = unthrottled)
  double duration_s = 0;  // the scenario's measured duration

  // Publishers: stats over the measured window (reset .. stop) and the window
  // itself. With several publisher agents (publisher.agents,
  // publisher.generators) `publisher` is their sum (counters summed,
  // histograms merged, spans joined) and `window` the sum of their windows
  // per partition: until - from is every publisher's messages on that
  // partition, window.size() all of the window's messages (the sequences
  // are then no one producer's, and producer_id is 0); `windows` holds each
  // one's real window, the expected messages the subscribers count against.
  // publisher_ok is false when no publisher agent answered its stats; with
  // several, those that did are summed (and the step says which failed).
  bool publisher_ok = false;
  PublisherStats publisher;
  ProducerWindow window;
  std::vector<ProducerWindow> windows;
  ProcessUsage publisher_usage;  // delta over the measured window (summed over publishers)
  // Per publisher agent, in index order, once the step collected them:
  // {index, producer_id, agent, payload, encoding, message_size,
  // target_rate, status ("ok", "failed", "killed"), and when its stats came
  // back: sent, acked, failed, measured_s, rate, payload_bytes, encode_us,
  // ack_p50_ms, ack_p99_ms}; null in a consumer-only step or one that never
  // reached collection.
  nlohmann::json publishers;

  // One entry per client that answered, in client id order.
  std::vector<ClientStats> clients;
  // Shared groups: how many were asked for (0: the clients do not share
  // groups), their size, and one entry per group that answered, by index.
  // The row's loss figures then count per group (harness/row.cc).
  int group_count = 0;
  int group_members = 0;
  std::vector<GroupResult> groups;
  // Ids of clients whose agent did not answer (dead, hung, never started).
  std::vector<int> unanswered_clients;
  // Per subscriber agent: resource use delta over the measured window.
  std::vector<ProcessUsage> subscriber_usage;
  // The controller's own process over the same span. With the embedded
  // broker this is, almost all of it, the mock broker's CPU.
  ProcessUsage controller_usage;

  // The processing stage as the agents run it ("cpu (1 threads)", "gpu: ...")
  // and what they said about it (e.g. "auto: no usable GPU, running on cpu").
  std::string processing_device;
  std::string note;

  // What the fault timeline applied in the window (fault_timeline.h:
  // FaultTimeline::record()); null when the step has no faults.
  nlohmann::json faults;
  // Many hosts (agents.hosts): the distinct hosts the step's agents ran on
  // (1: all on the controller's; 0: not known, the agents never started),
  // and per host, keyed by its daemon's endpoint: which agents and clients
  // ran there, its CPU and network over the measured window and its clock
  // offset (null when every agent ran on the controller's host).
  // Records the embedded broker's retention removed from its logs during the
  // step (read by the clients or not); empty on the mock kind and on a real
  // cluster, which do not say.
  std::optional<int64_t> broker_trimmed;
  int host_count = 0;
  nlohmann::json hosts;
  // The clock check: {p50_ms, max_uncertainty_ms, share, flagged}; null when
  // all ran on one host or nothing was received.
  nlohmann::json hosts_clock;
  // Per partition, right after the publisher's stop: the largest and mean
  // lag (log end - position) of the clients reading it; null when not
  // sampled (the step ended before its drain).
  nlohmann::json partition_lag;

  double measured_s = 0;      // wall time of the measured window, s
  int64_t started_ns = 0;     // the step's start and end, wall ns since the epoch
  int64_t ended_ns = 0;       // (0: never ran; set by StepRunner::run)
  std::string status = "ok";  // "ok", "failed", "skipped" or "interrupted"
  std::string error;          // why, when not ok

  nlohmann::json to_json() const;
};

}  // namespace hydra
