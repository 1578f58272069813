// The column table: one entry per results.csv column, in results.csv order.
#include "harness/columns.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>

#include "common/processing_stats.h"
#include "harness/fault_figures.h"
#include "harness/perf_summary.h"
#include "harness/row.h"
#include "harness/scenario.h"
#include "harness/step_result.h"
#include "harness/step_runner.h"
#include "harness/sweep.h"

namespace hydra {
namespace {

using G = ColumnGroup;
using F = ColumnFormat;

template <typename T>
Value to_value(const T& v) {
  return Value(v);
}
template <typename T>
Value to_value(const std::optional<T>& v) {
  return v ? Value(*v) : Value();
}

// A contract column reads the figure compute_row() derived (empty when it
// was not measured).
template <auto Field>
Value figure(const Row& r) {
  return to_value(r.*Field);
}

// CPU percent of one process over the span it reported; empty when it
// reported no span (nothing was measured).
Value cpu_pct(const ProcessUsage& u) {
  if (!u.span_ns) return {};
  return 100.0 * double(u.cpu_ns) / double(u.span_ns);
}

// The measured window is known (the publisher's stop reported its end).
bool have_window(const StepInput& in) {
  return !in.result.window.until.empty();
}

// A per-client counter summed over the window's readers: the groups with
// shared groups (each counted once), else the clients; empty without a
// window or a client that answered.
Value sum_over_readers(const StepInput& in, uint64_t ClientStats::*counter) {
  if (!have_window(in) || in.result.clients.empty()) return {};
  uint64_t sum = 0;
  if (in.result.group_count > 0)
    for (const auto& g : in.result.groups) sum += g.stats.*counter;
  else
    for (const auto& c : in.result.clients) sum += c.*counter;
  return sum;
}

// A timing of the step runner's phases; empty when the step never ran.
template <double StepTimings::*Field>
Value timing(const StepInput& in) {
  if (!in.timings) return {};
  return in.timings->*Field;
}

// A fault figure: empty when the step has no faults or kept no series.
template <Value (*Of)(const FaultFigures&)>
Value fault_value(const StepInput& in) {
  if (!in.result.faults.is_array() || in.result.faults.empty()) return {};
  const auto ff = fault_figures(in.result);
  if (!ff) return {};
  return Of(*ff);
}
Value fault_recovery(const FaultFigures& f) {
  return f.recovery_s ? Value(*f.recovery_s) : Value();
}
template <bool In>
Value fault_side_lost(const FaultFigures& f) {
  const FaultSide& s = In ? f.in_fault : f.clean;
  return s.seconds ? Value(s.lost) : Value();
}
template <bool In>
Value fault_side_dups(const FaultFigures& f) {
  const FaultSide& s = In ? f.in_fault : f.clean;
  return s.seconds ? Value(s.dups) : Value();
}
template <bool In>
Value fault_side_p99(const FaultFigures& f) {
  const auto v = (In ? f.in_fault : f.clean).p99_ms();
  return v ? Value(*v) : Value();
}

// Each partition's share of the window's messages (from the publisher's
// window: until - from per partition); empty when nothing was measured.
std::vector<double> partition_shares(const StepInput& in) {
  const auto& w = in.result.window;
  if (w.until.empty() || !in.scenario) return {};
  // One entry per stream: topic index x partitions + partition (common/topics.h).
  std::vector<double> shares(
      size_t(std::max(1, in.scenario->topic.partitions * in.scenario->topic.count)), 0.0);
  const uint64_t total = w.size();
  if (total == 0) return {};
  for (const auto& [partition, until] : w.until) {
    if (partition >= shares.size()) continue;
    const auto from = w.from.find(partition);
    const uint64_t start = from == w.from.end() ? 0 : from->second;
    shares[partition] = double(until > start ? until - start : 0) / double(total);
  }
  return shares;
}

const ScenarioProcessing* proc(const StepInput& in) {
  return in.scenario ? &in.scenario->subscribers.processing : nullptr;
}

// Records processed, all clients. Without a stage, "processed" means
// received: the plain consumer is the baseline the kinds are compared with.
uint64_t proc_records(const StepInput& in) {
  uint64_t n = in.processing.records;
  if (proc(in)->kind == "none")
    for (const auto& c : in.result.clients) n += c.unique;
  return n;
}

// The percentile in tenths (990: p99): an integer template argument, as
// clang before 18 takes no floating-point one (the fuzz build uses clang).
template <int PerMille>
Value proc_added_ms(const StepInput& in) {
  if (!proc(in) || in.processing.added_latency.count() == 0) return {};
  return double(in.processing.added_latency.percentile(PerMille / 10.0)) / 1e6;
}

template <int PerMille>
Value proc_e2e_ms(const StepInput& in) {
  if (!proc(in) || in.processing.e2e_latency.count() == 0) return {};
  return double(in.processing.e2e_latency.percentile(PerMille / 10.0)) / 1e6;
}

// A function-local static: other files' static initialisers may ask for it.
const std::vector<Column>& table() {
  static const std::vector<Column> t = {
      // ---- the contract's columns (docs/contracts.md), in its order ----
      {"client_count", "clients", F::kInteger, G::kContract, "N, the subscriber clients asked for",
       &figure<&Row::client_count>},
      {"msg_rate", "msg/s", F::kFixed1, G::kContract, "target publish rate (0 = unthrottled)",
       &figure<&Row::msg_rate>},
      {"packet_tx", "messages", F::kInteger, G::kContract,
       "messages the publisher sent in the measured window (sum over partitions of the window's "
       "sequence range)",
       &figure<&Row::packet_tx>},
      {"average_tx_rate", "msg/s", F::kFixed1, G::kContract,
       "achieved publish rate: `packet_tx` / measured window", &figure<&Row::average_tx_rate>},
      {"average_packets", "messages", F::kFixed3, G::kContract,
       "mean over the N clients of the distinct window messages each received (HYDRA's sum of "
       "msg_cnt / N)",
       &figure<&Row::average_packets>},
      {"average_rate", "msg/s", F::kFixed1, G::kContract,
       "mean over the N clients of a client's receive rate = its messages / (last - first receive "
       "time)",
       &figure<&Row::average_rate>},
      {"average_packet_loss", "%", F::kFixed4, G::kContract,
       "mean over clients of lost / `packet_tx`; lost comes from sequences, so duplicates cannot "
       "hide loss",
       &figure<&Row::average_packet_loss>},
      {"failing_clients", "clients", F::kInteger, G::kContract,
       "clients that missed any message of the window, or whose agent did not answer",
       &figure<&Row::failing_clients>},
      {"failing_clients_rate", "msg/s", F::kFixed1, G::kContract,
       "mean receive rate of the failing clients (0 when none)",
       &figure<&Row::failing_clients_rate>},
      {"lost", "messages", F::kInteger, G::kContract,
       "sum over clients of window messages never received (a client that did not answer counts "
       "the whole window)",
       &figure<&Row::lost>},
      {"duplicates", "messages", F::kInteger, G::kContract,
       "sum over clients of messages received again", &figure<&Row::duplicates>},
      {"reordered", "messages", F::kInteger, G::kContract,
       "sum over clients of messages that arrived after a later sequence of the same partition "
       "(then not lost)",
       &figure<&Row::reordered>},
      {"foreign", "messages", F::kInteger, G::kContract,
       "sum over clients of messages without Hydra's header (another producer on the topic)",
       &figure<&Row::foreign>},
      {"lat_p50_ms", "ms", F::kFixed3, G::kContract,
       "end-to-end latency p50, receive - *intended* send time, from the clients' histograms "
       "merged",
       &figure<&Row::lat_p50_ms>},
      {"lat_p90_ms", "ms", F::kFixed3, G::kContract, "end-to-end latency p90 (as `lat_p50_ms`)",
       &figure<&Row::lat_p90_ms>},
      {"lat_p99_ms", "ms", F::kFixed3, G::kContract, "end-to-end latency p99 (as `lat_p50_ms`)",
       &figure<&Row::lat_p99_ms>},
      {"lat_p999_ms", "ms", F::kFixed3, G::kContract, "end-to-end latency p99.9 (as `lat_p50_ms`)",
       &figure<&Row::lat_p999_ms>},
      {"lat_max_ms", "ms", F::kFixed3, G::kContract, "end-to-end latency maximum (as `lat_p50_ms`)",
       &figure<&Row::lat_max_ms>},
      {"ack_p50_ms", "ms", F::kFixed3, G::kContract,
       "publisher ack latency p50: delivery report - intended send time",
       &figure<&Row::ack_p50_ms>},
      {"ack_p99_ms", "ms", F::kFixed3, G::kContract, "publisher ack latency p99",
       &figure<&Row::ack_p99_ms>},
      {"send_delay_p99_ms", "ms", F::kFixed3, G::kContract,
       "publisher schedule slip p99: actual - intended send time (a message never sent "
       "counts with the slip it had reached at the stop: `pub_unsent`)",
       &figure<&Row::send_delay_p99_ms>},
      {"pub_cpu", "% of one core", F::kFixed2, G::kContract,
       "publisher agent CPU over its measured span", &figure<&Row::pub_cpu>},
      {"pub_net_txrate", "bytes/s", F::kFixed1, G::kContract,
       "the publisher's own bytes to the brokers (librdkafka statistics, not the host's)",
       &figure<&Row::pub_net_txrate>},
      {"pub_net_rxrate", "bytes/s", F::kFixed1, G::kContract,
       "the publisher's own bytes from the brokers", &figure<&Row::pub_net_rxrate>},
      {"sub_cpu", "% of one core", F::kFixed2, G::kContract,
       "mean CPU of the subscriber agents (reset to collect)", &figure<&Row::sub_cpu>},
      {"sub_rss_mb", "MiB", F::kFixed1, G::kContract, "the largest subscriber agent's peak RSS",
       &figure<&Row::sub_rss_mb>},
      {"status", "", F::kText, G::kContract,
       "`ok`, `failed` (an agent died or stopped answering, the barrier timed out, ...), "
       "`skipped` (e.g. no GPU) or `interrupted` (Ctrl-C: the figures are what was measured "
       "until then)",
       &figure<&Row::status>},
      {"error", "", F::kText, G::kContract, "why, when not `ok`", &figure<&Row::error>},

      // ---- the controller's diagnostics (every hydra run) ----
      {"rx_rate", "msg/s", F::kFixed1, G::kRun,
       "mean over the N clients of the distinct window messages each received / the measured "
       "window (`average_packets` / measured s): the receive rate to compare with "
       "`average_tx_rate` (`average_rate` divides by each client's own first-to-last receive "
       "span, so it can read above the send rate)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto& packets = in.row.average_packets;
         if (!packets || in.result.measured_s <= 0) return {};
         return *packets / in.result.measured_s;
       }},
      {"behind", "messages", F::kInteger, G::kRun,
       "of `lost`, the messages past the furthest sequence a client reached and still on the "
       "broker (sum; with shared groups, a group): the client was slow, the stream had no hole",
       nullptr,
       [](const StepInput& in) { return sum_over_readers(in, &ClientStats::behind); }},
      {"lost_trimmed", "messages", F::kInteger, G::kRun,
       "of `lost`, the messages a client (with shared groups, a group) skipped because the "
       "broker had removed them before it read them: its position jumped past the log start "
       "(retention); `lost` - `behind` - `lost_trimmed` are gaps in what the broker held",
       nullptr,
       [](const StepInput& in) { return sum_over_readers(in, &ClientStats::trimmed); }},
      {"pub_unacked", "messages", F::kInteger, G::kRun,
       "window messages the broker never acknowledged by the end of the publisher's stop flush "
       "(sent - acked - failed)",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!in.result.publisher_ok) return {};
         const auto& p = in.result.publisher;
         const uint64_t reported = p.acked + p.failed;
         return p.sent > reported ? p.sent - reported : uint64_t(0);
       }},
      {"pub_failed", "messages", F::kInteger, G::kRun,
       "window messages whose delivery report was an error (the broker or the client library "
       "gave up on them)",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!in.result.publisher_ok) return {};
         return in.result.publisher.failed;
       }},
      {"pub_unsent", "messages", F::kInteger, G::kRun,
       "window messages the publisher's schedule called for over 10 ms before its stop but "
       "never sent: its loop was blocked (a full queue, a transaction's commit through an "
       "outage); each is in `send_delay_p99_ms` with the delay it had reached at the stop",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!in.result.publisher_ok) return {};
         return in.result.publisher.unsent;
       }},
      {"ctl_cpu", "% of one core", F::kFixed3, G::kRun,
       "the controller process's CPU over the window; with the embedded broker, almost all of it "
       "is the mock broker",
       nullptr, [](const StepInput& in) -> Value { return cpu_pct(in.result.controller_usage); }},
      {"hosts", "hosts", F::kInteger, G::kRun,
       "distinct hosts the step's agents ran on (1: all on the controller's host; agents.hosts "
       "spreads them); which client ran where, each host's CPU, network and clock offset are in "
       "the step JSON's `hosts`",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.host_count <= 0) return {};
         return int64_t(in.result.host_count);
       }},
      {"sub_cpu_total", "% of one core", F::kFixed3, G::kRun,
       "CPU of all subscriber agents together", nullptr,
       [](const StepInput& in) -> Value {
         double total = 0;
         int measured = 0;
         for (const auto& u : in.result.subscriber_usage) {
           const Value pct = cpu_pct(u);
           if (std::holds_alternative<std::monostate>(pct)) continue;
           total += std::get<double>(pct);
           ++measured;
         }
         if (!measured) return {};
         return total;
       }},
      {"sub_rss_per_client_mb", "MiB", F::kFixed2, G::kRun,
       "memory a client costs: a subscriber agent's peak RSS / the clients it hosts, the largest "
       "over agents (agent k of a step hosts `clients_per_agent` clients, the last one the rest)",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!in.scenario || in.result.subscriber_usage.empty()) return {};
         const int per_agent = std::max(1, in.scenario->subscribers.clients_per_agent);
         const int n = in.result.client_count;
         const auto& usage = in.result.subscriber_usage;
         // Agent k's clients; when an agent did not answer, which entry is
         // whose is unknown, so each counts as a full agent.
         const bool all = int(usage.size()) == (n + per_agent - 1) / per_agent;
         double most = 0;
         for (size_t k = 0; k < usage.size(); ++k) {
           const int clients = all ? std::min(per_agent, n - int(k) * per_agent) : per_agent;
           if (clients <= 0 || usage[k].max_rss_bytes == 0) continue;
           most = std::max(most, double(usage[k].max_rss_bytes) / 1048576.0 / clients);
         }
         if (most == 0) return {};
         return most;
       }},
      {"ctl_overhead_s", "s", F::kFixed3, G::kRun,
       "controller time outside warm-up and measurement: `spawn_s` + `configure_s` + `barrier_s` + "
       "`drain_s` + `collect_s`",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!in.timings) return {};
         return in.timings->overhead_s();
       }},
      {"spawn_s", "s", F::kFixed3, G::kRun, "time starting agents", nullptr,
       &timing<&StepTimings::spawn_s>},
      {"configure_s", "s", F::kFixed3, G::kRun, "time configuring agents", nullptr,
       &timing<&StepTimings::configure_s>},
      {"barrier_s", "s", F::kFixed3, G::kRun, "time waiting for every subscriber to be ready",
       nullptr, &timing<&StepTimings::barrier_s>},
      {"drain_s", "s", F::kFixed3, G::kRun, "time draining after the publisher stopped", nullptr,
       &timing<&StepTimings::drain_s>},
      {"collect_s", "s", F::kFixed3, G::kRun, "time collecting the agents' stats", nullptr,
       &timing<&StepTimings::collect_s>},
      // ---- the perf-test summary (perf_summary.h) and the step's wall times;
      // what was not measured (nullopt, a 0 time) is empty ----
      {"tx_mb_s", "MB/s", F::kFixed3, G::kRun,
       "value bytes the publisher sent / measured window, MB = 2^20 bytes (as "
       "kafka-producer-perf-test)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto v = perf_summary(in.result).produce.mb_s;
         return v ? Value(*v) : Value();
       }},
      {"rx_mb_s", "MB/s", F::kFixed3, G::kRun,
       "value bytes of the window's messages all clients received / measured window (MB = 2^20)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto v = perf_summary(in.result).e2e.mb_s;
         return v ? Value(*v) : Value();
       }},
      {"lat_mean_ms", "ms", F::kFixed3, G::kRun, "end-to-end latency mean (as `lat_p50_ms`)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto v = perf_summary(in.result).e2e.mean_ms();
         return v ? Value(*v) : Value();
       }},
      {"lat_p95_ms", "ms", F::kFixed3, G::kRun, "end-to-end latency p95 (as `lat_p50_ms`)", nullptr,
       [](const StepInput& in) -> Value {
         const auto v = perf_summary(in.result).e2e.percentile_ms(95);
         return v ? Value(*v) : Value();
       }},
      {"ack_mean_ms", "ms", F::kFixed3, G::kRun, "publisher ack latency mean (as `ack_p50_ms`)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto v = perf_summary(in.result).produce.mean_ms();
         return v ? Value(*v) : Value();
       }},
      {"step_start", "", F::kText, G::kRun, "when the step started, ISO 8601 UTC", nullptr,
       [](const StepInput& in) -> Value {
         std::string t = iso8601_utc(in.result.started_ns);
         return t.empty() ? Value() : Value(std::move(t));
       }},
      {"step_end", "", F::kText, G::kRun, "when the step ended, ISO 8601 UTC", nullptr,
       [](const StepInput& in) -> Value {
         std::string t = iso8601_utc(in.result.ended_ns);
         return t.empty() ? Value() : Value(std::move(t));
       }},
      // ---- keys, payloads, slow clients (scenario keys publisher.keys.*,
      // publisher.payload/encoding, subscribers.decode, subscribers.slow.*)
      {"max_partition_share", "fraction", F::kFixed4, G::kRun,
       "the largest share of the window's messages one partition got (1/partitions when even)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto shares = partition_shares(in);
         if (shares.empty()) return {};
         return *std::max_element(shares.begin(), shares.end());
       }},
      {"hot_partitions", "partitions", F::kInteger, G::kRun,
       "partitions whose share of the window's messages exceeds publisher.keys.hot_threshold x "
       "the mean share (1/partitions)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto shares = partition_shares(in);
         if (shares.empty()) return {};
         const double limit =
             scenario_value(*in.scenario, "publisher.keys.hot_threshold").get<double>() /
             double(shares.size());
         return int64_t(std::count_if(shares.begin(), shares.end(),
                                      [limit](double sh) { return sh > limit; }));
       }},
      {"max_lag", "messages", F::kInteger, G::kRun,
       "the largest lag (log end offset - position) of any client on any partition right after "
       "the publisher's stop, as its last fetch response saw the log end; per partition in the "
       "step JSON's partition_lag",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto& lag = in.result.partition_lag;
         if (!lag.is_array() || lag.empty()) return {};
         int64_t most = 0;
         for (const auto& p : lag) most = std::max(most, p.value("max_lag", int64_t(0)));
         return most;
       }},
      {"payload_bytes", "bytes", F::kFixed1, G::kRun,
       "mean message value size the publisher sent in the window, the 40-byte header included; "
       "with several publisher agents the mean over all their messages (the step JSON's "
       "publishers has each one's)",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto& p = in.result.publisher;
         if (!in.result.publisher_ok || p.sent == 0) return {};
         return double(p.bytes) / double(p.sent);
       }},
      {"encode_us", "us", F::kFixed3, G::kRun,
       "mean time to serialize one message's document (json, cbor, msgpack; empty for binary "
       "bodies, which are written in place); with several publisher agents the mean over all "
       "their serialized messages",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto& p = in.result.publisher;
         if (!in.result.publisher_ok || p.encoded == 0) return {};
         return double(p.encode_ns) / double(p.encoded) / 1e3;
       }},
      {"decode_us", "us", F::kFixed3, G::kRun,
       "mean time a client took to decode one body into its document (with subscribers.decode)",
       nullptr,
       [](const StepInput& in) -> Value {
         uint64_t n = 0, ns = 0;
         for (const auto& c : in.result.clients) n += c.decoded, ns += c.decode_ns;
         if (n == 0) return {};
         return double(ns) / double(n) / 1e3;
       }},
      {"decode_errors", "messages", F::kInteger, G::kRun,
       "bodies that did not decode as their header said (sum over clients; with "
       "subscribers.decode)",
       nullptr,
       [](const StepInput& in) -> Value {
         uint64_t n = 0, errors = 0;
         for (const auto& c : in.result.clients) n += c.decoded, errors += c.decode_errors;
         if (n == 0) return {};
         return errors;
       }},
      {"slow_clients", "clients", F::kInteger, G::kRun,
       "clients throttled on purpose (subscribers.slow); left out of the loss, failing and "
       "latency figures",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.clients.empty()) return {};
         return int64_t(std::count_if(in.result.clients.begin(), in.result.clients.end(),
                                      [](const ClientStats& c) { return c.slow; }));
       }},
      {"slow_behind", "messages", F::kInteger, G::kRun,
       "window messages the slow clients had not read when the drain ended (sum)", nullptr,
       [](const StepInput& in) -> Value {
         if (!have_window(in)) return {};
         uint64_t behind = 0;
         bool any = false;
         for (const auto& c : in.result.clients)
           if (c.slow) behind += in.row.packet_tx.value_or(0) - std::min(in.row.packet_tx.value_or(0), c.unique), any = true;
         if (!any) return {};
         return behind;
       }},
      // ---- the fault timeline (harness/fault_figures.h); empty for a step
      // without faults ----
      {"broker_trimmed", "messages", F::kInteger, G::kRun,
       "records the embedded hydra broker's retention (topic.config retention.bytes / "
       "retention.ms) removed from its logs during the step, read or not: "
       "when clients lost messages, how many the broker itself dropped; empty on the mock kind "
       "and on a real cluster",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!in.result.broker_trimmed) return {};
         return *in.result.broker_trimmed;
       }},
      {"faults", "", F::kText, G::kRun,
       "the faults applied in the window, e.g. `broker_down@3+2 kill:subscriber0@5` (action@at_s+for_s; "
       "`(failed)` when Hydra could not apply one, `(exit N)` for a command that exited N)",
       nullptr,
       [](const StepInput& in) -> Value {
         std::string d = faults_cell(in.result);
         return d.empty() ? Value() : Value(std::move(d));
       }},
      {"recovery_s", "s", F::kFixed1, G::kRun,
       "from the end of the last fault until the first whole second whose receive rate is within "
       "10 % of the target; empty when there was no fault or it never recovered in the window (the "
       "step JSON's `timeline.recovery` says which)",
       nullptr, &fault_value<&fault_recovery>},
      {"fault_lost", "messages", F::kInteger, G::kRun,
       "messages lost (all clients) that were sent in a second overlapping a fault's window",
       nullptr, &fault_value<&fault_side_lost<true>>},
      {"fault_dups", "messages", F::kInteger, G::kRun,
       "duplicates (all clients) of messages sent in a fault's seconds", nullptr,
       &fault_value<&fault_side_dups<true>>},
      {"fault_lat_p99_ms", "ms", F::kFixed3, G::kRun,
       "end-to-end latency p99 of the messages sent in a fault's seconds (per-second histograms, "
       "within 6.25 %)",
       nullptr, &fault_value<&fault_side_p99<true>>},
      {"clean_lost", "messages", F::kInteger, G::kRun,
       "messages lost that were sent outside every fault's seconds", nullptr,
       &fault_value<&fault_side_lost<false>>},
      {"clean_dups", "messages", F::kInteger, G::kRun,
       "duplicates of messages sent outside every fault's seconds", nullptr,
       &fault_value<&fault_side_dups<false>>},
      {"clean_lat_p99_ms", "ms", F::kFixed3, G::kRun,
       "end-to-end latency p99 of the messages sent outside every fault's seconds", nullptr,
       &fault_value<&fault_side_p99<false>>},
      // Shared consumer groups (subscribers.groups "shared"); empty otherwise.
      {"group_count", "groups", F::kInteger, G::kRun,
       "shared consumer groups (each must get the whole window; loss, duplicates and the client "
       "means count per group); empty unless subscribers.groups is `shared`",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.group_count <= 0) return {};
         return int64_t(in.result.group_count);
       }},
      {"idle_members", "clients", F::kInteger, G::kRun,
       "shared-group members with no partition at the end of the step (members beyond the "
       "partition count), all groups",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.group_count <= 0 || in.result.groups.empty()) return {};
         int64_t idle = 0;
         for (const auto& g : in.result.groups) idle += g.idle_members;
         return idle;
       }},
      {"rebalances", "rebalances", F::kInteger, G::kRun,
       "shared groups' rebalances from the window's start to the collection, summed over groups "
       "(a rebalance: some member between losing its partitions, or crashing, and getting new "
       "ones)",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.group_count <= 0 || in.result.groups.empty()) return {};
         int64_t n = 0;
         for (const auto& g : in.result.groups) n += g.rebalances;
         return n;
       }},
      {"rebalance_pause_ms", "ms", F::kFixed1, G::kRun,
       "the longest time a shared group spent in rebalances (summed over its rebalances), over "
       "groups; 0 when no group rebalanced",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.group_count <= 0 || in.result.groups.empty()) return {};
         double most = 0;
         for (const auto& g : in.result.groups) most = std::max(most, g.rebalance_pause_ms);
         return most;
       }},

      // Set by the run loop, not computed from the step: empty on a plain
      // step's row.
      {"aggregate", "", F::kText, G::kRun,
       "empty on a measured row; on the rows `repeats` > 1 adds after a step's repeats, which "
       "statistic of them the row holds: `mean`, `stddev`, `min`, `max` or `n` (values per cell)",
       nullptr, [](const StepInput&) -> Value { return {}; }},
      {"probe", "probe", F::kInteger, G::kRun,
       "modes `find-*`: the probe's number in its step's search, from 1 (its rate is `msg_rate`)",
       nullptr, [](const StepInput&) -> Value { return {}; }},
      {"search", "", F::kText, G::kRun,
       "modes `find-*`: the search's phase and the probe's verdict, e.g. `grow: keeps up`, "
       "`bisect: saturated (achieved 80 % of the target)`",
       nullptr, [](const StepInput&) -> Value { return {}; }},
      // What the clients polled, window or not: the figures of a
      // consumer-only run (publisher.enabled false), which has no window.
      {"consumed", "messages", F::kInteger, G::kRun,
       "sum over clients of every message polled in the measured span (Hydra's and foreign); "
       "with publisher.enabled false, what arrived from whoever fills the topic",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.clients.empty()) return {};
         uint64_t n = 0;
         for (const auto& c : in.result.clients) n += c.received;
         return n;
       }},
      {"consumed_rate", "msg/s", F::kFixed1, G::kRun,
       "`consumed` / answering clients / measured span: the receive rate of a client, window or "
       "not",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.clients.empty() || in.result.measured_s <= 0) return {};
         uint64_t n = 0;
         for (const auto& c : in.result.clients) n += c.received;
         return double(n) / double(in.result.clients.size()) / in.result.measured_s;
       }},
      {"gaps", "messages", F::kInteger, G::kRun,
       "without a window (publisher.enabled false): sum over clients of the sequences missing "
       "between the Hydra messages they saw of each producer and partition; empty with a window "
       "(`lost` counts against it)",
       nullptr,
       [](const StepInput& in) -> Value {
         if (in.result.clients.empty() || !in.result.window.until.empty()) return {};
         uint64_t n = 0;
         for (const auto& c : in.result.clients) n += c.lost;
         return n;
       }},
      // ---- the processing stage (runs where a step has one) ----
      {"proc_series", "", F::kText, G::kProcessing,
       "kind/requested device (`xN` for N threads), what the processing plot draws lines by",
       nullptr,
       [](const StepInput& in) -> Value {
         const auto* p = proc(in);
         if (!p) return {};
         if (p->kind == "none") return std::string("none");
         return p->kind + "/" + p->device +
                (p->threads > 1 ? "x" + std::to_string(p->threads) : "");
       }},
      {"proc_kind", "", F::kText, G::kProcessing, "`none`, `window-agg`, `zscore` or `mlp`",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         return proc(in)->kind;
       }},
      {"proc_device", "", F::kText, G::kProcessing,
       "the device as run (e.g. `cpu (1 thread)`), else as asked", nullptr,
       [](const StepInput& in) -> Value {
         const auto* p = proc(in);
         if (!p) return {};
         if (p->kind == "none") return std::string("none");
         return in.result.processing_device.empty() ? p->device : in.result.processing_device;
       }},
      {"proc_batch", "records", F::kInteger, G::kProcessing, "records per processing batch",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         return int64_t(proc(in)->batch);
       }},
      {"proc_linger_ms", "ms", F::kShortest, G::kProcessing,
       "longest wait to fill a batch (as the scenario says)", nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         return proc(in)->linger_ms;
       }},
      {"proc_threads", "threads", F::kInteger, G::kProcessing, "processing threads per agent",
       nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         return int64_t(proc(in)->threads);
       }},
      {"proc_records", "records", F::kInteger, G::kProcessing,
       "records processed, all clients (for `none`: messages received)", nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in) || in.result.clients.empty()) return {};
         return proc_records(in);
       }},
      {"proc_rate", "records/s", F::kFixed1, G::kProcessing,
       "`proc_records` per second of the measured window", nullptr,
       [](const StepInput& in) -> Value {
         const double secs = in.result.measured_s;
         if (!proc(in) || in.result.clients.empty() || secs <= 0) return {};
         return double(proc_records(in)) / secs;
       }},
      {"proc_added_p50_ms", "ms", F::kFixed3, G::kProcessing,
       "latency processing adds, p50: result ready - receive", nullptr, &proc_added_ms<500>},
      {"proc_added_p99_ms", "ms", F::kFixed3, G::kProcessing, "latency processing adds, p99",
       nullptr, &proc_added_ms<990>},
      {"proc_added_p999_ms", "ms", F::kFixed3, G::kProcessing, "latency processing adds, p99.9",
       nullptr, &proc_added_ms<999>},
      {"proc_e2e_p50_ms", "ms", F::kFixed3, G::kProcessing,
       "end-to-end latency with processing, p50: result ready - intended send", nullptr,
       &proc_e2e_ms<500>},
      {"proc_e2e_p99_ms", "ms", F::kFixed3, G::kProcessing,
       "end-to-end latency with processing, p99", nullptr, &proc_e2e_ms<990>},
      {"proc_e2e_p999_ms", "ms", F::kFixed3, G::kProcessing,
       "end-to-end latency with processing, p99.9", nullptr, &proc_e2e_ms<999>},
      {"proc_cpu_ns_per_record", "ns/record", F::kFixed1, G::kProcessing,
       "processing CPU time per record", nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         const uint64_t n = proc_records(in);
         if (!n) return {};
         return double(in.processing.cpu_ns) / double(n);
       }},
      {"proc_batch_fill_mean", "records", F::kFixed1, G::kProcessing,
       "mean records per processed batch", nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         const auto& fill = in.processing.batch_fill;
         if (!fill.count()) return {};
         return fill.mean();
       }},
      {"proc_anomalies", "records", F::kInteger, G::kProcessing, "zscore: records flagged", nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in) || in.result.clients.empty()) return {};
         return in.processing.anomalies;
       }},
      {"proc_note", "", F::kText, G::kProcessing,
       "what the agents said about the stage (e.g. auto fell back to the CPU)", nullptr,
       [](const StepInput& in) -> Value {
         if (!proc(in)) return {};
         return in.result.note;
       }},
  };
  return t;
}

int decimals(ColumnFormat f) {
  switch (f) {
    case F::kFixed1:
      return 1;
    case F::kFixed2:
      return 2;
    case F::kFixed3:
      return 3;
    case F::kFixed4:
      return 4;
    default:
      return 0;
  }
}

const char* group_words(ColumnGroup g) {
  switch (g) {
    case G::kContract:
      return "always";
    case G::kRun:
      return "`hydra run`";
    case G::kProcessing:
      return "processing runs";
  }
  return "";
}

}  // namespace

const std::vector<Column>& columns() {
  return table();
}

const Column* find_column(std::string_view name) {
  for (const auto& c : table())
    if (name == c.name) return &c;
  return nullptr;
}

std::vector<std::string> column_names(ColumnGroup group) {
  std::vector<std::string> out;
  for (const auto& c : table())
    if (c.group == group) out.push_back(c.name);
  return out;
}

std::vector<std::string> run_extra_columns(bool processing) {
  std::vector<std::string> out = column_names(ColumnGroup::kRun);
  if (processing)
    for (auto& n : column_names(ColumnGroup::kProcessing)) out.push_back(std::move(n));
  return out;
}

bool uses_processing(const std::vector<Step>& steps) {
  for (const auto& s : steps)
    if (s.scenario.subscribers.processing.kind != "none") return true;
  return false;
}

ProcessingStats merged_processing(const StepResult& r) {
  ProcessingStats total;
  for (const auto& c : r.clients) {
    if (c.processing.is_null() || c.processing.empty()) continue;
    try {
      total += ProcessingStats::from_json(c.processing);
    } catch (const std::exception&) {
      // Left out; the step JSON keeps the block for inspection.
    }
  }
  return total;
}

std::string format_cell(double value, ColumnFormat format) {
  if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  char buf[64];
  if (format == F::kShortest) {
    std::snprintf(buf, sizeof buf, "%g", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", decimals(format), value);
  }
  // "-0.0" reads as a sign error in a table; print it as 0.
  if (buf[0] == '-' && std::strtod(buf, nullptr) == 0.0) return std::string(buf + 1);
  return buf;
}

std::string format_value(const Value& v, ColumnFormat format) {
  struct Print {
    ColumnFormat f;
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(int64_t i) const {
      return f == F::kInteger || f == F::kText ? std::to_string(i) : format_cell(double(i), f);
    }
    std::string operator()(uint64_t i) const {
      return f == F::kInteger || f == F::kText ? std::to_string(i) : format_cell(double(i), f);
    }
    std::string operator()(double d) const { return format_cell(d, f); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Print{format}, v);
}

nlohmann::ordered_json value_json(const Value& v) {
  struct ToJson {
    nlohmann::ordered_json operator()(std::monostate) const { return nullptr; }
    nlohmann::ordered_json operator()(int64_t i) const { return i; }
    nlohmann::ordered_json operator()(uint64_t i) const { return i; }
    // JSON has no NaN/inf: such a value is written as null.
    nlohmann::ordered_json operator()(double d) const {
      return std::isfinite(d) ? nlohmann::ordered_json(d) : nlohmann::ordered_json(nullptr);
    }
    nlohmann::ordered_json operator()(const std::string& s) const { return s; }
  };
  return std::visit(ToJson{}, v);
}

double value_number(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return double(*i);
  if (const auto* u = std::get_if<uint64_t>(&v)) return double(*u);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nan("");
}

std::string columns_markdown() {
  std::string out = "| column | unit | in | meaning |\n|---|---|---|---|\n";
  for (const auto& c : table()) {
    out += "| `" + std::string(c.name) + "` | " + (*c.unit ? c.unit : "text") + " | " +
           group_words(c.group) + " | " + c.doc + " |\n";
  }
  return out;
}

}  // namespace hydra
