#include "bench/macro/macro_report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "bench/macro/macro_options.h"

namespace hydra::bench {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double target_of(const std::string& bench) {
  return bench == "publisher" ? kPublisherTarget : kSubscriberTarget;
}

double ratio_of(double num, double den) {
  return num > 0 && den > 0 ? num / den : 0;
}

std::string verdict(const Comparison& c) {
  if (!c.error.empty()) return "ERROR";
  if (c.ratio == 0) return "n/a";  // one side not measured (--only)
  return c.pass ? "PASS" : "BELOW";
}

// CSV field: quoted when it holds a separator, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

Measurement new_measurement(std::string bench, std::string side, int round, int partitions) {
  Measurement m;
  m.bench = std::move(bench);
  m.side = std::move(side);
  m.round = round;
  m.partitions = partitions;
  return m;
}

double rate(const Measurement& m) {
  return m.span_ns > 0 ? double(m.messages) * 1e9 / double(m.span_ns) : 0;
}

double thread_ns_per_message(const Measurement& m) {
  return m.thread_messages > 0 ? m.thread_cpu_s * 1e9 / double(m.thread_messages) : 0;
}

std::vector<Comparison> compare(const std::vector<Measurement>& ms) {
  std::vector<Comparison> out;
  for (const char* bench : {"publisher", "subscriber"}) {
    std::vector<Comparison> rounds;
    for (const Measurement& m : ms) {
      if (m.bench != bench) continue;
      auto it = std::find_if(rounds.begin(), rounds.end(),
                             [&](const Comparison& c) { return c.round == m.round; });
      if (it == rounds.end()) {
        it = rounds.insert(rounds.end(), Comparison{});
        it->bench = bench;
        it->round = m.round;
        it->partitions = m.partitions;
      }
      const bool hydra = m.side == "hydra";
      (hydra ? it->hydra_messages : it->raw_messages) = m.messages;
      (hydra ? it->hydra_s : it->raw_s) = double(m.span_ns) / 1e9;
      (hydra ? it->hydra_rate : it->raw_rate) = rate(m);
      (hydra ? it->hydra_thread_ns : it->raw_thread_ns) = thread_ns_per_message(m);
      if (!m.error.empty()) it->error += (it->error.empty() ? "" : "; ") + m.side + ": " + m.error;
    }
    if (rounds.empty()) continue;
    std::vector<double> hydra, raw, ratio, hydra_ns, raw_ns, cpu_ratio;
    Comparison summary;
    summary.bench = bench;
    summary.partitions = rounds.front().partitions;
    for (Comparison& c : rounds) {
      c.ratio = ratio_of(c.hydra_rate, c.raw_rate);
      c.cpu_ratio = ratio_of(c.raw_thread_ns, c.hydra_thread_ns);
      c.target = target_of(c.bench);
      c.pass = c.error.empty() && c.ratio >= c.target;
      hydra.push_back(c.hydra_rate);
      raw.push_back(c.raw_rate);
      ratio.push_back(c.ratio);
      hydra_ns.push_back(c.hydra_thread_ns);
      raw_ns.push_back(c.raw_thread_ns);
      cpu_ratio.push_back(c.cpu_ratio);
      if (!c.error.empty() && summary.error.empty()) summary.error = c.error;
      out.push_back(c);
    }
    summary.hydra_rate = median(hydra);
    summary.raw_rate = median(raw);
    summary.ratio = median(ratio);
    summary.hydra_thread_ns = median(hydra_ns);
    summary.raw_thread_ns = median(raw_ns);
    summary.cpu_ratio = median(cpu_ratio);
    summary.target = target_of(bench);
    summary.pass = summary.error.empty() && summary.ratio >= summary.target;
    out.push_back(summary);
  }
  return out;
}

void print_measurement(std::ostream& os, const Measurement& m) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-10s round %d  %-5s %10llu msgs in %6.3f s = %9.0f msg/s",
                m.bench.c_str(), m.round, m.side.c_str(), (unsigned long long)m.messages,
                double(m.span_ns) / 1e9, rate(m));
  os << line;
  if (m.thread_messages > 0)
    os << "  thread " << fmt("%.0f", thread_ns_per_message(m)) << " ns/msg";
  if (m.cpu_s > 0 && m.messages > 0)
    os << "  process " << fmt("%.0f", m.cpu_s * 1e9 / double(m.messages)) << " ns/msg";
  if (m.queue_full) os << "  queue-full " << m.queue_full;
  if (!m.error.empty()) os << "  ERROR: " << m.error;
  os << "\n";
}

void print_summary(std::ostream& os, const std::vector<Comparison>& cs) {
  os << "\nsummary (medians over rounds; ratio = hydra msg/s / raw msg/s, per round;\n"
        "cpu ratio = raw / hydra CPU per message of the producing or polling thread,\n"
        "the ratio to expect where that thread is the bottleneck and the machine is idle)\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-10s %12s %12s %7s %9s %8s  %s\n", "bench", "hydra msg/s",
                "raw msg/s", "ratio", "cpu ratio", "target", "verdict");
  os << line;
  for (const Comparison& c : cs) {
    if (c.round != 0) continue;
    std::snprintf(line, sizeof line, "  %-10s %12.0f %12.0f %7.3f %9.3f  >= %4.2f  %s",
                  c.bench.c_str(), c.hydra_rate, c.raw_rate, c.ratio, c.cpu_ratio, c.target,
                  verdict(c).c_str());
    os << line;
    if (!c.error.empty()) os << "  (" << c.error << ")";
    os << "\n";
  }
}

void write_csv(const std::string& path, const std::vector<Comparison>& cs) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << "bench,round,partitions,hydra_messages,hydra_s,hydra_msg_per_s,raw_messages,raw_s,"
       "raw_msg_per_s,ratio,target,verdict,hydra_thread_ns_per_msg,raw_thread_ns_per_msg,"
       "cpu_ratio,error\n";
  for (const Comparison& c : cs) {
    const bool per_round = c.round != 0;
    f << c.bench << "," << (per_round ? std::to_string(c.round) : "median") << "," << c.partitions
      << ",";
    f << (per_round ? std::to_string(c.hydra_messages) + "," + fmt("%.6f", c.hydra_s) : ",") << ","
      << fmt("%.0f", c.hydra_rate) << ",";
    f << (per_round ? std::to_string(c.raw_messages) + "," + fmt("%.6f", c.raw_s) : ",") << ","
      << fmt("%.0f", c.raw_rate) << ",";
    f << fmt("%.4f", c.ratio) << "," << fmt("%.2f", c.target) << "," << verdict(c) << ","
      << fmt("%.1f", c.hydra_thread_ns) << "," << fmt("%.1f", c.raw_thread_ns) << ","
      << fmt("%.4f", c.cpu_ratio) << "," << csv_field(c.error) << "\n";
  }
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace hydra::bench
