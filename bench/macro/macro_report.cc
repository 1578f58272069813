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

void finish(Comparison& c) {
  c.target = target_of(c.bench);
  c.ratio = c.raw_rate > 0 ? c.hydra_rate / c.raw_rate : 0;
  c.pass = c.error.empty() && c.ratio >= c.target;
}

std::string verdict(const Comparison& c) {
  if (!c.error.empty()) return "ERROR";
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
      const double seconds = double(m.span_ns) / 1e9;
      if (m.side == "hydra") {
        it->hydra_messages = m.messages;
        it->hydra_s = seconds;
        it->hydra_rate = rate(m);
        it->hydra_cpu_s = m.cpu_s;
      } else {
        it->raw_messages = m.messages;
        it->raw_s = seconds;
        it->raw_rate = rate(m);
        it->raw_cpu_s = m.cpu_s;
      }
      if (!m.error.empty()) it->error += (it->error.empty() ? "" : "; ") + m.side + ": " + m.error;
    }
    if (rounds.empty()) continue;
    Comparison summary;
    summary.bench = bench;
    summary.partitions = rounds.front().partitions;
    std::vector<double> hydra, raw;
    for (Comparison& c : rounds) {
      finish(c);
      hydra.push_back(c.hydra_rate);
      raw.push_back(c.raw_rate);
      if (!c.error.empty() && summary.error.empty()) summary.error = c.error;
      out.push_back(c);
    }
    summary.hydra_rate = median(hydra);
    summary.raw_rate = median(raw);
    finish(summary);
    out.push_back(summary);
  }
  return out;
}

void print_measurement(std::ostream& os, const Measurement& m) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-10s round %d  %-5s %10llu msgs in %6.3f s = %10.0f msg/s",
                m.bench.c_str(), m.round, m.side.c_str(), (unsigned long long)m.messages,
                double(m.span_ns) / 1e9, rate(m));
  os << line;
  if (m.bench == "publisher") os << "  queue-full " << m.queue_full;
  if (m.cpu_s > 0 && m.messages > 0)
    os << "  cpu " << fmt("%.2f", m.cpu_s) << " s ("
       << fmt("%.0f", m.cpu_s * 1e9 / double(m.messages)) << " ns/msg)";
  if (!m.error.empty()) os << "  ERROR: " << m.error;
  os << "\n";
}

void print_summary(std::ostream& os, const std::vector<Comparison>& cs) {
  os << "\nsummary (median over rounds; ratio = hydra / raw)\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-10s %14s %14s %7s %8s  %s\n", "bench", "hydra msg/s",
                "raw msg/s", "ratio", "target", "verdict");
  os << line;
  for (const Comparison& c : cs) {
    if (c.round != 0) continue;
    std::snprintf(line, sizeof line, "  %-10s %14.0f %14.0f %7.3f  >= %4.2f  %s", c.bench.c_str(),
                  c.hydra_rate, c.raw_rate, c.ratio, c.target, verdict(c).c_str());
    os << line;
    if (!c.error.empty()) os << "  (" << c.error << ")";
    os << "\n";
  }
}

void write_csv(const std::string& path, const std::vector<Comparison>& cs) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << "bench,round,partitions,hydra_messages,hydra_s,hydra_msg_per_s,raw_messages,raw_s,"
       "raw_msg_per_s,ratio,target,verdict,error,hydra_cpu_s,raw_cpu_s\n";
  for (const Comparison& c : cs) {
    f << c.bench << "," << (c.round ? std::to_string(c.round) : "median") << "," << c.partitions
      << ",";
    if (c.round)
      f << c.hydra_messages << "," << fmt("%.6f", c.hydra_s) << ",";
    else
      f << ",,";
    f << fmt("%.0f", c.hydra_rate) << ",";
    if (c.round)
      f << c.raw_messages << "," << fmt("%.6f", c.raw_s) << ",";
    else
      f << ",,";
    f << fmt("%.0f", c.raw_rate) << "," << fmt("%.4f", c.ratio) << "," << fmt("%.2f", c.target)
      << "," << verdict(c) << "," << csv_field(c.error) << ",";
    if (c.round)
      f << fmt("%.3f", c.hydra_cpu_s) << "," << fmt("%.3f", c.raw_cpu_s);
    else
      f << ",";
    f << "\n";
  }
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace hydra::bench
