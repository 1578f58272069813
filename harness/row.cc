#include "harness/row.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

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

int decimals(ColumnFormat f) {
  switch (f) {
    case ColumnFormat::kInteger:
    case ColumnFormat::kText:
      return 0;
    case ColumnFormat::kRate:
    case ColumnFormat::kMb:
      return 1;
    case ColumnFormat::kCpu:
      return 2;
    case ColumnFormat::kCount:
    case ColumnFormat::kMs:
      return 3;
    case ColumnFormat::kPercent:
      return 4;
  }
  return 3;
}

template <typename T>
std::string cell(const T& v, ColumnFormat f) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else {
    return format_cell(v, f);
  }
}

template <typename T>
void put(nlohmann::ordered_json& j, const char* name, const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    // JSON has no NaN/inf; compute_row never makes them, but keep the file valid.
    j[name] = std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  } else {
    j[name] = v;
  }
}

}  // namespace

std::string format_cell(double value, ColumnFormat format) {
  if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals(format), value);
  // "-0.0" reads as a sign error in a table; print it as 0.
  if (buf[0] == '-' && std::strtod(buf, nullptr) == 0.0) return std::string(buf + 1);
  return buf;
}

std::string format_swept_value(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

const std::vector<std::string>& Row::column_names() {
  static const std::vector<std::string> names = {
#define HYDRA_FIELD(type, name, format) #name,
      HYDRA_ROW_COLUMNS(HYDRA_FIELD)
#undef HYDRA_FIELD
  };
  return names;
}

std::vector<std::string> Row::cells() const {
  std::vector<std::string> out;
  out.reserve(column_names().size());
#define HYDRA_FIELD(type, name, format) out.push_back(cell(name, ColumnFormat::format));
  HYDRA_ROW_COLUMNS(HYDRA_FIELD)
#undef HYDRA_FIELD
  return out;
}

nlohmann::ordered_json Row::to_json() const {
  nlohmann::ordered_json j;
  j["step"] = step;
  j["repeat"] = repeat;
  auto sw = nlohmann::ordered_json::object();
  for (const auto& [k, v] : swept) sw[k] = v;
  j["swept"] = sw;
#define HYDRA_FIELD(type, name, format) put(j, #name, name);
  HYDRA_ROW_COLUMNS(HYDRA_FIELD)
#undef HYDRA_FIELD
  auto ex = nlohmann::ordered_json::object();
  for (const auto& [k, v] : extra) ex[k] = v;
  j["extra"] = ex;
  return j;
}

Histogram merged_latency(const StepResult& result) {
  Histogram merged;
  for (const auto& c : result.clients) merged += c.latency;
  return merged;
}

Row compute_row(const StepResult& r) {
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
  return row;
}

}  // namespace hydra
