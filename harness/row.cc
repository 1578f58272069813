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
  for (const auto& c : result.clients) merged += c.latency;
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

  // Every fan-out client should get every message of the measured window.
  const uint64_t expected = r.window.size();
  row.packet_tx = expected;
  row.average_tx_rate = ratio(double(expected), r.measured_s);

  double sum_unique = 0, sum_rate = 0, sum_loss_pct = 0, sum_failing_rate = 0;
  int64_t failing = 0;
  for (const auto& c : r.clients) {
    // Loss by sequence: expected - unique, so duplicates cannot hide it. A
    // client that counted more than the window (it should not) loses nothing.
    const uint64_t lost = expected > c.unique ? expected - c.unique : 0;
    const double span_s = double(c.last_recv_ns - c.first_recv_ns) / kNsPerS;
    const double rate = ratio(double(c.unique), span_s);  // HYDRA's per-client rate
    sum_unique += double(c.unique);
    sum_rate += rate;
    sum_loss_pct += expected > 0 ? 100.0 * double(lost) / double(expected) : 0.0;
    if (c.unique < expected) {
      ++failing;
      sum_failing_rate += rate;
    }
    row.lost += lost;
    row.duplicates += c.duplicates;
    row.reordered += c.reordered;
    row.foreign += c.foreign;
  }
  // Unanswered clients: no messages, rate 0, all of the window lost.
  failing += missing;
  sum_loss_pct += 100.0 * double(missing);
  row.lost += uint64_t(missing) * expected;

  row.average_packets = ratio(sum_unique, double(n));
  row.average_rate = ratio(sum_rate, double(n));
  row.average_packet_loss = ratio(sum_loss_pct, double(n));
  row.failing_clients = failing;
  row.failing_clients_rate = ratio(sum_failing_rate, double(failing));

  // Percentiles only from merged histograms, never averaged.
  const Histogram lat = merged_latency(r);
  row.lat_p50_ms = ns_to_ms(lat.percentile(50));
  row.lat_p90_ms = ns_to_ms(lat.percentile(90));
  row.lat_p99_ms = ns_to_ms(lat.percentile(99));
  row.lat_p999_ms = ns_to_ms(lat.percentile(99.9));
  row.lat_max_ms = ns_to_ms(lat.max());
  row.ack_p50_ms = ns_to_ms(r.publisher.ack_latency.percentile(50));
  row.ack_p99_ms = ns_to_ms(r.publisher.ack_latency.percentile(99));
  row.send_delay_p99_ms = ns_to_ms(r.publisher.send_delay.percentile(99));

  const double measured_ns = r.measured_s * kNsPerS;
  // CPU percent over the span the agent accumulated it over (agents report
  // it); the measured window when they do not.
  auto cpu_pct = [&](const ProcessUsage& u) {
    return ratio(100.0 * double(u.cpu_ns), u.span_ns ? double(u.span_ns) : measured_ns);
  };
  row.pub_cpu = cpu_pct(r.publisher_usage);
  row.pub_net_txrate = ratio(double(r.publisher.net_tx_bytes), r.measured_s);
  row.pub_net_rxrate = ratio(double(r.publisher.net_rx_bytes), r.measured_s);
  double sum_sub_cpu = 0;
  uint64_t max_rss = 0;
  for (const auto& u : r.subscriber_usage) {
    sum_sub_cpu += cpu_pct(u);
    max_rss = std::max(max_rss, u.max_rss_bytes);
  }
  row.sub_cpu = ratio(sum_sub_cpu, double(r.subscriber_usage.size()));
  row.sub_rss_mb = double(max_rss) / kBytesPerMiB;

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
