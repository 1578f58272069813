#include "harness/processing_columns.h"

#include <cstdio>

#include "common/processing_stats.h"

namespace hydra {
namespace {

std::string num(double v, const char* fmt) {
  char b[64];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}

std::string ms(int64_t ns) {
  return num(double(ns) / 1e6, "%.3f");
}

}  // namespace

bool uses_processing(const std::vector<Step>& steps) {
  for (const auto& s : steps)
    if (s.scenario.subscribers.processing.kind != "none") return true;
  return false;
}

const std::vector<std::string>& processing_column_names() {
  static const std::vector<std::string> names = {
      "proc_series",          "proc_kind",          "proc_device",
      "proc_batch",           "proc_linger_ms",     "proc_threads",
      "proc_records",         "proc_rate",          "proc_added_p50_ms",
      "proc_added_p99_ms",    "proc_added_p999_ms", "proc_e2e_p50_ms",
      "proc_e2e_p99_ms",      "proc_e2e_p999_ms",   "proc_cpu_ns_per_record",
      "proc_batch_fill_mean", "proc_anomalies",     "proc_note"};
  return names;
}

std::vector<std::pair<std::string, std::string>> processing_columns(const StepResult& r,
                                                                    const Scenario& sc) {
  const auto& p = sc.subscribers.processing;
  ProcessingStats total;
  for (const auto& c : r.clients) {
    if (c.processing.is_null() || c.processing.empty()) continue;
    try {
      total += ProcessingStats::from_json(c.processing);
    } catch (const std::exception&) {
      // A malformed block is left out; the step JSON keeps it for inspection.
    }
  }
  // Without a stage, "processed" means received: the plain consumer is the
  // baseline the kinds are compared with.
  if (p.kind == "none")
    for (const auto& c : r.clients) total.records += c.unique;
  const double secs = r.measured_s > 0 ? r.measured_s : 0;
  const double fill = total.batch_fill.count() ? total.batch_fill.mean() : 0;
  return {
      // kind/requested-device, one word: what the processing plot draws lines by.
      {"proc_series",
       p.kind == "none"
           ? std::string("none")
           : p.kind + "/" + p.device + (p.threads > 1 ? "x" + std::to_string(p.threads) : "")},
      {"proc_kind", p.kind},
      {"proc_device", p.kind == "none"              ? std::string("none")
                      : r.processing_device.empty() ? p.device
                                                    : r.processing_device},
      {"proc_batch", std::to_string(p.batch)},
      {"proc_linger_ms", num(p.linger_ms, "%g")},
      {"proc_threads", std::to_string(p.threads)},
      {"proc_records", std::to_string(total.records)},
      {"proc_rate", num(secs > 0 ? double(total.records) / secs : 0, "%.1f")},
      {"proc_added_p50_ms", ms(total.added_latency.percentile(50))},
      {"proc_added_p99_ms", ms(total.added_latency.percentile(99))},
      {"proc_added_p999_ms", ms(total.added_latency.percentile(99.9))},
      {"proc_e2e_p50_ms", ms(total.e2e_latency.percentile(50))},
      {"proc_e2e_p99_ms", ms(total.e2e_latency.percentile(99))},
      {"proc_e2e_p999_ms", ms(total.e2e_latency.percentile(99.9))},
      {"proc_cpu_ns_per_record",
       num(total.records ? double(total.cpu_ns) / double(total.records) : 0, "%.1f")},
      {"proc_batch_fill_mean", num(fill, "%.1f")},
      {"proc_anomalies", std::to_string(total.anomalies)},
      {"proc_note", r.note},
  };
}

}  // namespace hydra
