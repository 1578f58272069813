#include "harness/perf_summary.h"

#include <cstdio>
#include <ctime>

#include "harness/row.h"

namespace hydra {
namespace {

std::optional<double> per_second(double amount, double seconds) {
  if (!(seconds > 0)) return std::nullopt;
  return amount / seconds;
}

std::string ms(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

}  // namespace

std::optional<double> PerfSide::mean_ms() const {
  if (latency.count() == 0) return std::nullopt;
  return latency.mean() / 1e6;
}

std::optional<double> PerfSide::percentile_ms(double p) const {
  if (latency.count() == 0) return std::nullopt;
  return double(latency.percentile(p)) / 1e6;
}

PerfSummary perf_summary(const StepResult& r) {
  PerfSummary s;
  if (r.publisher_ok) {
    s.produce.measured = true;
    s.produce.records = r.window.size();
    s.produce.msg_s = per_second(double(s.produce.records), r.measured_s);
    s.produce.mb_s = per_second(double(r.publisher.bytes) / kBytesPerMB, r.measured_s);
    s.produce.latency = r.publisher.ack_latency;
  }
  if (!r.clients.empty()) {
    s.e2e.measured = true;
    uint64_t bytes = 0;
    for (const auto& c : r.clients) {
      s.e2e.records += c.unique;
      bytes += c.bytes;
    }
    s.e2e.msg_s = per_second(double(s.e2e.records), r.measured_s);
    s.e2e.mb_s = per_second(double(bytes) / kBytesPerMB, r.measured_s);
    s.e2e.latency = merged_latency(r);
  }
  return s;
}

std::string perf_line(const PerfSide& side, const std::string& verb) {
  if (!side.measured) return "not measured";
  char buf[512];
  const auto rate = [](const std::optional<double>& v, const char* f) {
    if (!v) return std::string("-");
    char b[64];
    std::snprintf(b, sizeof b, f, *v);
    return std::string(b);
  };
  std::snprintf(buf, sizeof buf,
                "%llu records %s, %s records/sec (%s MB/sec), %s ms avg latency, %s ms max "
                "latency, %s ms 50th, %s ms 95th, %s ms 99th, %s ms 99.9th.",
                static_cast<unsigned long long>(side.records), verb.c_str(),
                rate(side.msg_s, "%.1f").c_str(), rate(side.mb_s, "%.2f").c_str(),
                ms(side.mean_ms()).c_str(), ms(side.percentile_ms(100)).c_str(),
                ms(side.percentile_ms(50)).c_str(), ms(side.percentile_ms(95)).c_str(),
                ms(side.percentile_ms(99)).c_str(), ms(side.percentile_ms(99.9)).c_str());
  return buf;
}

std::string percentile_block(const Histogram& h, const std::string& indent) {
  if (h.count() == 0) return indent + "(no samples)\n";
  std::string out;
  for (double p : {50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 99.999, 100.0}) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%8.3f%%  %10.3fms\n", p, double(h.percentile(p)) / 1e6);
    out += indent + buf;
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "%llu samples\n", static_cast<unsigned long long>(h.count()));
  return out + indent + buf;
}

std::string iso8601_utc(int64_t wall_ns) {
  if (wall_ns <= 0) return "";
  const std::time_t secs = std::time_t(wall_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", int(wall_ns / 1'000'000 % 1000));
  return buf;
}

}  // namespace hydra
