#include "harness/fault_figures.h"

#include <algorithm>
#include <cmath>

namespace hydra {
namespace {

struct Span {
  double from, until;
};

std::vector<Span> fault_windows(const StepResult& r) {
  std::vector<Span> out;
  if (!r.faults.is_array()) return out;
  for (const auto& f : r.faults) {
    const auto& w = f.value("window", nlohmann::json());
    if (w.is_array() && w.size() == 2 && w[0].is_number() && w[1].is_number())
      out.push_back({w[0].get<double>(), w[1].get<double>()});
  }
  return out;
}

bool overlaps(int s, const Span& w) {
  if (w.until <= w.from) return s <= w.from && w.from < s + 1;  // at once: its second
  return s < w.until && s + 1 > w.from;
}

}  // namespace

std::optional<double> FaultSide::p99_ms() const {
  if (!latency.count()) return std::nullopt;
  return double(latency.percentile(99)) / 1e6;
}

std::optional<double> recovery_time(const std::vector<double>& rx, double target,
                                    double fault_end_s, std::string* recovery) {
  if (!(target > 0)) {
    *recovery = "no target rate";
    return std::nullopt;
  }
  // The first whole second that starts at or after the end (a few ms of
  // slack: the end is taken by the controller's clock).
  const int first = std::max(0, int(std::ceil(fault_end_s - 0.05)));
  if (first >= int(rx.size())) {
    *recovery = "the faults lasted to the window's end";
    return std::nullopt;
  }
  for (int s = first; s < int(rx.size()); ++s) {
    if (std::fabs(rx[size_t(s)] - target) <= kRecoveryBand * target) {
      *recovery = "recovered";
      return std::max(0.0, double(s) - fault_end_s);
    }
  }
  *recovery = "not recovered in the window";
  return std::nullopt;
}

// Who must get each second's messages: every client with a series, or with
// shared groups every group (its members count into one tracker, so their
// series add up to the group's copy).
static int series_readers(const StepResult& r) {
  int clients = 0;
  for (const auto& c : r.clients) clients += c.series.span.on();
  if (r.group_count > 0 && clients > 0) return std::max<int>(1, int(r.groups.size()));
  return clients;
}

std::optional<FaultFigures> fault_figures(const StepResult& r) {
  const PublisherSeries& pub = r.publisher.series;
  if (!r.publisher_ok || !pub.span.on()) return std::nullopt;
  FaultFigures ff;
  ff.has_faults = r.faults.is_array() && !r.faults.empty();
  const size_t n = size_t(pub.span.seconds);
  ClientSeries all;
  all.start(pub.span);
  for (const auto& c : r.clients)
    if (c.series.span.on()) all += c.series;
  const int readers = series_readers(r);
  const int whole = int(std::floor(r.measured_s + 1e-6));  // whole seconds of the window
  const auto windows = fault_windows(r);
  for (size_t s = 0; s < n; ++s) {
    SecondFigures f;
    f.t = int(s);
    f.sent = pub.sent[s];
    f.acked = pub.acked[s];
    f.failed = pub.failed[s];
    f.unique = all.unique[s];
    f.dups = all.dups[s];
    f.received = all.received[s];
    f.latency = all.latency[s];
    const uint64_t expected = f.sent * uint64_t(readers);
    f.lost = expected > f.unique ? expected - f.unique : 0;
    f.in_window = int(s) < whole;
    for (const auto& w : windows) f.in_fault = f.in_fault || overlaps(int(s), w);
    // Seconds past the window carry only its late arrivals (the drain).
    if (int(s) < int(std::ceil(r.measured_s))) {
      FaultSide& side = f.in_fault ? ff.in_fault : ff.clean;
      side.lost += f.lost;
      side.dups += f.dups;
      side.latency += f.latency;
      ++side.seconds;
    }
    ff.seconds.push_back(f);
  }
  if (!ff.has_faults) {
    ff.recovery = "no fault";
    return ff;
  }
  double end = -1;
  for (const auto& w : windows) end = std::max(end, std::max(w.from, w.until));
  if (end < 0) {
    ff.recovery = "no fault was applied";
    return ff;
  }
  ff.fault_end_s = end;
  // The target: what all readers together should receive per second.
  const double per_stream = r.msg_rate > 0 ? r.msg_rate : 0;
  if (per_stream > 0 && readers > 0) {
    ff.target = per_stream * readers;
  } else if (readers > 0) {
    // Unthrottled: the receive rate of the whole seconds before the first fault.
    double first = end;
    for (const auto& w : windows) first = std::min(first, w.from);
    double sum = 0;
    int k = 0;
    for (int s = 0; s + 1 <= int(first) && s < whole; ++s, ++k)
      sum += double(all.received[size_t(s)]);
    if (k > 0) ff.target = sum / k;
  }
  std::vector<double> rx;
  for (int s = 0; s < whole && s < int(n); ++s) rx.push_back(double(all.received[size_t(s)]));
  ff.recovery_s = recovery_time(rx, ff.target.value_or(0), end, &ff.recovery);
  for (const auto& f : r.faults) {
    const auto& w = f.value("window", nlohmann::json());
    if (!w.is_array() || w.size() != 2 || !w[1].is_number()) continue;
    FaultRecovery fr;
    fr.description = f.value("description", "");
    fr.end_s = std::max(w[0].get<double>(), w[1].get<double>());
    fr.recovery_s = recovery_time(rx, ff.target.value_or(0), fr.end_s, &fr.recovery);
    ff.per_fault.push_back(std::move(fr));
  }
  return ff;
}

nlohmann::json timeline_json(const StepResult& r) {
  const auto ff = fault_figures(r);
  if (!ff) return nullptr;
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  auto secs = nlohmann::json::array();
  for (const auto& s : ff->seconds) {
    secs.push_back(
        {{"t", s.t},
         {"sent", s.sent},
         {"acked", s.acked},
         {"failed", s.failed},
         {"received", s.received},
         {"unique", s.unique},
         {"lost", s.lost},
         {"dups", s.dups},
         {"p99_ms", s.latency.count() ? nlohmann::json(double(s.latency.percentile(99)) / 1e6)
                                      : nlohmann::json()},
         {"in_window", s.in_window},
         {"in_fault", s.in_fault}});
  }
  auto side = [&](const FaultSide& f) {
    return nlohmann::json{{"seconds", f.seconds},
                          {"lost", f.lost},
                          {"dups", f.dups},
                          {"lat_p99_ms", opt(f.p99_ms())}};
  };
  auto per_fault = nlohmann::json::array();
  for (const auto& f : ff->per_fault)
    per_fault.push_back({{"description", f.description},
                         {"end_s", f.end_s},
                         {"recovery_s", opt(f.recovery_s)},
                         {"recovery", f.recovery}});
  return {{"seconds", secs},
          {"readers", series_readers(r)},
          {"fault", side(ff->in_fault)},
          {"clean", side(ff->clean)},
          {"target_rate", opt(ff->target)},
          {"fault_end_s", opt(ff->fault_end_s)},
          {"recovery_s", opt(ff->recovery_s)},
          {"recovery", ff->recovery},
          {"per_fault", per_fault}};
}

std::string faults_cell(const StepResult& r) {
  std::string out;
  if (!r.faults.is_array()) return out;
  for (const auto& f : r.faults) {
    std::string d = f.value("description", "");
    const auto& cmd = f.value("command", nlohmann::json());
    if (cmd.is_object() && cmd.value("timed_out", false))
      d += "(timed out)";
    else if (cmd.is_object() && cmd["exit_status"].is_number() && cmd["exit_status"] != 0)
      d += "(exit " + std::to_string(cmd["exit_status"].get<int>()) + ")";
    else if (!f.value("error", "").empty())
      d += "(failed)";
    out += (out.empty() ? "" : " ") + d;
  }
  return out;
}

}  // namespace hydra
