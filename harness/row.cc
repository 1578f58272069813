#include "harness/row.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "common/processing_stats.h"

namespace hydra {
namespace {

constexpr double kNsPerMs = 1e6;
constexpr double kNsPerS = 1e9;
constexpr double kBytesPerMiB = 1024.0 * 1024.0;

double ns_to_ms(int64_t ns) {
  return double(ns) / kNsPerMs;
}

// a / b, or 0 when b is not positive (an empty window, a zero-length span).
double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

}  // namespace

std::string format_swept_value(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

Value Row::value(const Column& column) const {
  if (column.of_row) return column.of_row(*this);
  for (const auto& [c, v] : step_values)
    if (c == &column) return v;
  return {};
}

Value Row::value(std::string_view name) const {
  const Column* c = find_column(name);
  if (!c) throw std::invalid_argument("unknown results.csv column '" + std::string(name) + "'");
  return value(*c);
}

void Row::set(std::string_view name, Value v) {
  const Column* c = find_column(name);
  if (!c) throw std::invalid_argument("unknown results.csv column '" + std::string(name) + "'");
  if (!c->of_step)
    throw std::invalid_argument("column '" + std::string(name) +
                                "' is a contract figure: set the Row's field");
  for (auto& [col, val] : step_values) {
    if (col == c) {
      val = std::move(v);
      return;
    }
  }
  // Kept in registry order, so JSON and fallback headers list them in order.
  auto at = std::find_if(step_values.begin(), step_values.end(),
                         [&](const auto& kv) { return kv.first > c; });
  step_values.emplace(at, c, std::move(v));
}

std::string Row::cell(const Column& column) const {
  return format_value(value(column), column.format);
}

const std::vector<std::string>& Row::column_names() {
  static const std::vector<std::string> names = hydra::column_names(ColumnGroup::kContract);
  return names;
}

std::vector<std::string> Row::cells() const {
  std::vector<std::string> out;
  for (const auto& c : columns())
    if (c.group == ColumnGroup::kContract) out.push_back(cell(c));
  return out;
}

nlohmann::ordered_json Row::to_json() const {
  nlohmann::ordered_json j;
  j["step"] = step;
  j["repeat"] = repeat;
  auto sw = nlohmann::ordered_json::object();
  for (const auto& [k, v] : swept) sw[k] = v;
  j["swept"] = sw;
  for (const auto& c : columns())
    if (c.group == ColumnGroup::kContract) j[c.name] = value_json(value(c));
  auto ex = nlohmann::ordered_json::object();
  for (const auto& [c, v] : step_values) ex[c->name] = value_json(v);
  j["extra"] = ex;
  return j;
}

Histogram merged_latency(const StepResult& result) {
  Histogram merged;
  // Slow clients (subscribers.slow) wait on purpose: their latency is theirs.
  for (const auto& c : result.clients)
    if (!c.slow) merged += c.latency;
  return merged;
}

Row compute_row(const StepResult& r, const StepContext& ctx) {
  Row row;
  row.step = r.step;
  row.repeat = r.repeat;
  for (const auto& [key, value] : r.swept) row.swept.emplace_back(key, format_swept_value(value));
  row.status = r.status;
  row.error = r.error;

  // N: the clients asked for. Clients that did not answer (listed as such, or
  // simply missing from the collected stats) count as failing, with nothing
  // received. A skipped step asked nobody, so only listed ones count there.
  const int64_t answered = int64_t(r.clients.size());
  int64_t missing = int64_t(r.unanswered_clients.size());
  if (r.status != "skipped") missing = std::max<int64_t>(missing, r.client_count - answered);
  const int64_t n = answered + missing;
  row.client_count = r.status == "skipped" ? r.client_count : n;
  row.msg_rate = r.msg_rate;

  // The measured window is known once the publisher's stop reported its end;
  // without it nothing was measured against it (no send count, no loss).
  const bool have_window = !r.window.until.empty();
  const bool have_span = have_window && r.measured_s > 0;
  const uint64_t expected = r.window.size();
  if (have_window) row.packet_tx = expected;
  if (have_span) row.average_tx_rate = double(expected) / r.measured_s;

  double sum_unique = 0, sum_rate = 0, sum_loss_pct = 0, sum_failing_rate = 0;
  int64_t failing = 0;
  uint64_t lost = 0, duplicates = 0, reordered = 0, foreign = 0;
  int64_t slow = 0;
  // The unit that must get the whole window: each client, or, with shared
  // groups, each group (docs/contracts.md "Shared consumer groups"). A
  // group's figures count for each of its members, so the means over the N
  // clients are the means over the groups and a client fails when its group
  // lost anything.
  const bool shared = r.group_count > 0;
  const int64_t weight = shared ? std::max(1, r.group_members) : 1;
  std::vector<const ClientStats*> units;
  if (shared)
    for (const auto& g : r.groups) units.push_back(&g.stats);
  else
    for (const auto& c : r.clients) units.push_back(&c);
  for (const ClientStats* u : units) {
    const ClientStats& c = *u;
    // Deliberately slow clients (subscribers.slow) fall behind by design:
    // they are left out of loss, failing and the averages over clients
    // (columns slow_clients and slow_behind report them; docs/contracts.md).
    if (!shared && c.slow) {
      ++slow;
      duplicates += c.duplicates;
      reordered += c.reordered;
      continue;
    }
    // Loss by sequence: expected - unique, so duplicates cannot hide it. A
    // client that counted more than the window (it should not) loses nothing.
    const uint64_t client_lost = expected > c.unique ? expected - c.unique : 0;
    const double span_s = double(c.last_recv_ns - c.first_recv_ns) / kNsPerS;
    const double rate = ratio(double(c.unique), span_s);  // HYDRA's per-client rate
    sum_unique += double(weight) * double(c.unique);
    sum_rate += double(weight) * rate;
    sum_loss_pct +=
        double(weight) * (expected > 0 ? 100.0 * double(client_lost) / double(expected) : 0.0);
    if (c.unique < expected) {
      failing += weight;
      sum_failing_rate += double(weight) * rate;
    }
    lost += client_lost;
    duplicates += c.duplicates;
    reordered += c.reordered;
  }
  for (const auto& c : r.clients) foreign += c.foreign;
  if (shared) {
    // A group that did not answer (its agent died) lost the whole window for
    // each of its members.
    const int64_t groups_missing = std::max<int64_t>(0, r.group_count - int64_t(r.groups.size()));
    missing = groups_missing * weight;
  }
  // What the answering clients counted, window or not.
  if (answered > 0) {
    row.duplicates = duplicates;
    row.reordered = reordered;
    row.foreign = foreign;
  }
  const int64_t counted = n - slow;
  if (have_window && counted > 0) {
    // Unanswered clients: no messages, rate 0, all of the window lost (with
    // shared groups: their groups' windows, once per group).
    failing += missing;
    sum_loss_pct += 100.0 * double(missing);
    row.lost = lost + uint64_t(shared ? missing / weight : missing) * expected;
    row.average_packets = sum_unique / double(counted);
    row.average_rate = sum_rate / double(counted);
    row.average_packet_loss = sum_loss_pct / double(counted);
    row.failing_clients = failing;
    row.failing_clients_rate = ratio(sum_failing_rate, double(failing));  // 0 when none fail
  }

  // Percentiles only from merged histograms, never averaged; none from an
  // empty one.
  auto pct_ms = [](const Histogram& h, double p) -> std::optional<double> {
    if (h.count() == 0) return std::nullopt;
    return ns_to_ms(p >= 100 ? h.max() : h.percentile(p));
  };
  const Histogram lat = merged_latency(r);
  row.lat_p50_ms = pct_ms(lat, 50);
  row.lat_p90_ms = pct_ms(lat, 90);
  row.lat_p99_ms = pct_ms(lat, 99);
  row.lat_p999_ms = pct_ms(lat, 99.9);
  row.lat_max_ms = pct_ms(lat, 100);
  if (r.publisher_ok) {
    row.ack_p50_ms = pct_ms(r.publisher.ack_latency, 50);
    row.ack_p99_ms = pct_ms(r.publisher.ack_latency, 99);
    row.send_delay_p99_ms = pct_ms(r.publisher.send_delay, 99);
  }

  // CPU percent over the span the agent accumulated it over (agents report
  // it); the measured window when they do not; none without either.
  const double measured_ns = r.measured_s * kNsPerS;
  auto cpu_pct = [&](const ProcessUsage& u) -> std::optional<double> {
    const double span = u.span_ns ? double(u.span_ns) : measured_ns;
    if (span <= 0) return std::nullopt;
    return 100.0 * double(u.cpu_ns) / span;
  };
  if (r.publisher_ok) {
    row.pub_cpu = cpu_pct(r.publisher_usage);
    if (r.measured_s > 0) {
      row.pub_net_txrate = double(r.publisher.net_tx_bytes) / r.measured_s;
      row.pub_net_rxrate = double(r.publisher.net_rx_bytes) / r.measured_s;
    }
  }
  double sum_sub_cpu = 0;
  int sub_cpus = 0;
  uint64_t max_rss = 0;
  for (const auto& u : r.subscriber_usage) {
    if (const auto pct = cpu_pct(u)) {
      sum_sub_cpu += *pct;
      ++sub_cpus;
    }
    max_rss = std::max(max_rss, u.max_rss_bytes);
  }
  if (sub_cpus > 0) row.sub_cpu = sum_sub_cpu / sub_cpus;
  if (!r.subscriber_usage.empty()) row.sub_rss_mb = double(max_rss) / kBytesPerMiB;

  // The registry's step columns. The clients' processing blocks are merged
  // once here, not once per column.
  ProcessingStats processing;
  if (ctx.processing) processing = merged_processing(r);
  const StepInput in{r, row, ctx.timings, ctx.scenario, processing};
  for (const auto& c : columns()) {
    if (!c.of_step || (c.processing_only() && !ctx.processing)) continue;
    row.step_values.emplace_back(&c, c.of_step(in));
  }
  return row;
}

}  // namespace hydra
