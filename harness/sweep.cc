#include "harness/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace hydra {
namespace {

using json = nlohmann::ordered_json;

// Set-up (configure, readiness), stop and drain of one step, roughly.
constexpr double kStepOverheadS = 3;

// Values are shown as in the file, strings without quotes.
std::string show(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string show_number(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

std::string plural(long n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string duration_text(double seconds) {
  long s = std::lround(seconds);
  long h = s / 3600, m = s % 3600 / 60;
  s %= 60;
  std::string out;
  if (h) out += std::to_string(h) + " h ";
  if (h || m) out += std::to_string(m) + " min ";
  return out + std::to_string(s) + " s";
}

std::string step_label(const std::vector<std::pair<std::string, json>>& swept) {
  std::string out;
  for (const auto& [key, value] : swept) out += (out.empty() ? "" : ", ") + key + "=" + show(value);
  return out;
}

}  // namespace

std::vector<Step> expand_steps(const Scenario& scenario) {
  const auto& axes = scenario.sweep;
  size_t count = 1;
  for (const auto& axis : axes) {
    if (axis.values.empty()) {
      throw ScenarioError(scenario.source, "sweep " + axis.key, "has no values", axis.key);
    }
    if (count > kMaxSteps / axis.values.size()) {
      throw ScenarioError(scenario.source, "sweep",
                          "more than " + std::to_string(kMaxSteps) + " steps", axis.key);
    }
    count *= axis.values.size();
  }

  json base = scenario.resolved;
  base.erase("sweep");
  std::vector<Step> steps;
  steps.reserve(count);
  // An odometer over the axes: the last axis turns fastest.
  std::vector<size_t> at(axes.size(), 0);
  for (size_t n = 0; n < count; ++n) {
    Step step;
    step.index = static_cast<int>(n);
    json doc = base;
    for (size_t a = 0; a < axes.size(); ++a) {
      const json& value = axes[a].values[at[a]];
      step.swept.emplace_back(axes[a].key, value);
      set_key(doc, axes[a].key, value);
    }
    try {
      step.scenario = parse_scenario(doc, scenario.source);
    } catch (const ScenarioError& e) {
      // Name the swept value when the failing key is one; otherwise the step.
      for (size_t a = 0; a < axes.size(); ++a) {
        if (axes[a].key == e.key()) {
          throw ScenarioError(scenario.source,
                              "sweep " + axes[a].key + "[" + std::to_string(at[a]) + "]",
                              e.reason(), e.key());
        }
      }
      std::string label = "step " + std::to_string(n) + " (" + step_label(step.swept) + ")";
      if (!e.label().empty()) label += ": " + e.label();
      throw ScenarioError(scenario.source, label, e.reason(), e.key());
    }
    steps.push_back(std::move(step));
    for (size_t a = axes.size(); a-- > 0;) {
      if (++at[a] < axes[a].values.size()) break;
      at[a] = 0;
    }
  }
  return steps;
}

// Runs of one step: its repeats, or for a rate search (scenario key mode) at
// most max_probes probes.
static int runs_per_step(const Scenario& s) {
  if (scenario_value(s, "mode").get<std::string>() == "sweep") return s.repeats;
  return scenario_value(s, "max_probes").get<int>();
}

double estimated_run_seconds(const std::vector<Step>& steps) {
  double total = 0;
  for (const auto& step : steps) {
    const Scenario& s = step.scenario;
    total += runs_per_step(s) * (s.warmup_s + s.duration_s + kStepOverheadS);
  }
  return total;
}

std::string describe_steps(const Scenario& scenario, const std::vector<Step>& steps) {
  std::ostringstream out;
  const Scenario& s = scenario;
  out << "scenario    " << s.name << " (" << s.source << ")\n";
  if (s.broker.embedded()) {
    out << "broker      embedded, " << plural(s.broker.embedded_brokers, "broker") << "\n";
  } else {
    out << "broker      " << s.broker.bootstrap << "\n";
  }
  out << "topic       " << s.topic.name << ", " << plural(s.topic.partitions, "partition")
      << ", replication " << s.topic.replication << (s.topic.reuse ? ", reused" : "") << "\n";
  out << "publisher   message_size " << s.publisher.message_size << ", msg_batch "
      << s.publisher.msg_batch << ", acks " << s.publisher.acks << ", payload "
      << s.publisher.payload << "\n";
  if (publisher_agents(s) > 1) {
    // Each publisher agent's own record and rate (publisher.agents splits
    // the rate; a generator has its own).
    const std::vector<Scenario> each = publisher_scenarios(s);
    out << "publishers  " << each.size() << " agents:";
    for (size_t k = 0; k < each.size(); ++k) {
      const ScenarioPublisher& p = each[k].publisher;
      out << (k ? "; " : " ") << k << " " << p.payload << "/" << p.encoding << " at "
          << (p.rate == 0 ? "unthrottled" : show_number(p.rate) + " msg/s");
    }
    out << "\n";
  }
  out << "subscribers " << s.subscribers.groups << " groups, processing "
      << s.subscribers.processing.kind << "\n";
  out << "timing      warm-up " << show_number(s.warmup_s) << " s, duration "
      << show_number(s.duration_s) << " s, " << plural(s.repeats, "repeat") << "\n";
  if (s.sweep.empty()) {
    out << "sweep       none\n";
  } else {
    out << "sweep       ";
    for (size_t a = 0; a < s.sweep.size(); ++a) {
      std::string values;
      for (const auto& v : s.sweep[a].values) values += (values.empty() ? "" : ", ") + show(v);
      out << (a ? " x " : "") << s.sweep[a].key << " [" << values << "]";
    }
    out << "\n";
  }
  out << "\n";

  // The step table: column widths fit the widest cell.
  std::vector<std::string> header{"step"};
  for (const auto& axis : s.sweep) header.push_back(axis.key);
  for (const char* h : {"client_count", "rate", "sub_agents"}) header.push_back(h);
  std::vector<std::vector<std::string>> rows;
  for (const auto& step : steps) {
    const Scenario& t = step.scenario;
    std::vector<std::string> row{std::to_string(step.index)};
    for (const auto& [key, value] : step.swept) row.push_back(show(value));
    row.push_back(std::to_string(t.subscribers.clients));
    const double rate = total_publish_rate(t);  // all publisher agents together
    row.push_back(rate == 0 ? "unthrottled" : show_number(rate));
    row.push_back(std::to_string(t.subscribers.agents()));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      line += (c ? "  " : "") + std::string(width[c] - cells[c].size(), ' ') + cells[c];
    }
    out << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);

  const std::string mode = scenario_value(s, "mode").get<std::string>();
  out << "\n"
      << plural(static_cast<long>(steps.size()), "step") << " x "
      << (mode == "sweep" ? plural(s.repeats, "repeat")
                          : mode + ": up to " + plural(runs_per_step(s), "probe"))
      << ", estimated wall time " << (mode == "sweep" ? "" : "at most ")
      << duration_text(estimated_run_seconds(steps)) << " (warm-up + duration + ~"
      << show_number(kStepOverheadS) << " s per run)\n";
  return out.str();
}

}  // namespace hydra
