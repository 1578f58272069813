#include "harness/search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hydra {
namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string opt_cell(const std::optional<double>& v, const char* format) {
  return v ? fmt(format, *v) : "";
}

// The first line of an error, shortened: a verdict is one cell.
std::string head(const std::string& error) {
  std::string s = error.substr(0, error.find('\n'));
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

}  // namespace

std::optional<SearchMode> search_mode(const std::string& mode) {
  if (mode == "find-max-rate") return SearchMode::kMaxRate;
  if (mode == "find-lossless-rate") return SearchMode::kLosslessRate;
  return std::nullopt;
}

RateSearch::RateSearch(SearchOptions options) : options_(options) {
  if (options_.start_rate <= 0) options_.start_rate = 1000;
  options_.max_probes = std::max(1, options_.max_probes);
}

Probe RateSearch::judge(const Row& row, double rate, const std::string& phase,
                        std::optional<double> last_good) const {
  Probe p;
  p.rate = rate;
  p.phase = phase;
  p.achieved = row.average_tx_rate;
  p.loss_pct = row.average_packet_loss;
  auto bad = [&](std::string why) {
    p.good = false;
    p.verdict = std::move(why);
    return p;
  };
  if (row.status != "ok")
    return bad(row.status + (row.error.empty() ? "" : ": " + head(row.error)));
  if (!p.achieved) return bad("saturated (no achieved rate measured)");
  if (*p.achieved < options_.keep_up_fraction * rate)
    return bad("saturated (achieved " + fmt("%.1f", 100 * *p.achieved / rate) +
               " % of the target)");
  if (row.send_delay_p99_ms && *row.send_delay_p99_ms > options_.max_send_delay_ms)
    return bad("saturated (send delay p99 " + fmt("%.0f", *row.send_delay_p99_ms) + " ms)");
  if (const Value unacked = row.value("pub_unacked"); row.packet_tx && *row.packet_tx > 0) {
    const double n = value_number(unacked);
    if (std::isfinite(n) && n > options_.max_unacked_fraction * double(*row.packet_tx))
      return bad("saturated (" + fmt("%.0f", n) + " messages never acknowledged)");
  }
  if (last_good && *p.achieved < *last_good * (1 + options_.growth_min))
    return bad("saturated (achieved grew " + fmt("%.1f", 100 * (*p.achieved / *last_good - 1)) +
               " %)");
  if (options_.mode == SearchMode::kLosslessRate) {
    if (!p.loss_pct) return bad("loss not measured (no subscriber clients?)");
    if (*p.loss_pct > options_.max_loss_pct)
      return bad("lossy (" + fmt("%.3f", *p.loss_pct) + " % lost)");
  }
  p.good = true;
  p.verdict = "keeps up";
  return p;
}

SearchAnswer RateSearch::run(const RunProbe& run_probe, const OnProbe& on_probe) const {
  SearchAnswer answer;
  std::optional<Probe> best;  // the highest rate that was good
  std::optional<double> lowest_bad;
  double rate = options_.start_rate;
  std::string phase = "grow";
  while (answer.probes < options_.max_probes) {
    Row row = run_probe(rate);
    const std::optional<double> last_good =
        phase == "grow" && best ? best->achieved : std::optional<double>();
    Probe p = judge(row, rate, phase, last_good);
    p.number = ++answer.probes;
    row.set("probe", int64_t(p.number));
    row.set("search", p.phase + ": " + p.verdict);
    if (on_probe) on_probe(p, row);
    answer.history.push_back(p);
    if (row.status == "interrupted" || row.status == "skipped") {
      answer.status = row.status;
      break;
    }
    if (p.good) {
      if (!best || p.rate > best->rate) best = p;
    } else if (!lowest_bad || p.rate < *lowest_bad) {
      lowest_bad = p.rate;
    }
    if (!lowest_bad) {
      phase = "grow";
      rate *= 2;
    } else if (!best) {
      phase = "descend";
      rate /= 2;
      // Below 1 msg/s nothing is worth measuring: the set-up does not work.
      if (rate < 1) {
        answer.status = "none";
        break;
      }
    } else {
      if (*lowest_bad - best->rate <= options_.tolerance * best->rate) {
        answer.status = "found";
        break;
      }
      phase = "bisect";
      rate = std::round((best->rate + *lowest_bad) / 2);
    }
  }
  if (answer.status.empty()) answer.status = best ? "bounded" : "none";
  if (best) {
    answer.rate = best->rate;
    answer.achieved = best->achieved;
    answer.loss_pct = best->loss_pct;
  }
  answer.lowest_bad_rate = lowest_bad;
  return answer;
}

std::optional<SearchOptions> search_options(const Scenario& sc) {
  const auto mode = search_mode(scenario_value(sc, "mode").get<std::string>());
  if (!mode) return std::nullopt;
  SearchOptions o;
  o.mode = *mode;
  o.start_rate = sc.publisher.rate > 0 ? sc.publisher.rate : 1000;
  o.max_loss_pct = scenario_value(sc, "max_loss_pct").get<double>();
  o.max_probes = scenario_value(sc, "max_probes").get<int>();
  return o;
}

SearchAnswer search_step(const Step& step, const SearchOptions& options, const RunOnce& run_once,
                         Reporter& reporter) {
  int index = 0;
  StepResult pending;  // the probe's raw result, reported with its judged row
  return RateSearch(options).run(
      [&](double rate) {
        Step probe = step;
        probe.scenario.publisher.rate = rate;
        // Whole rates stay JSON integers, as the scenario parser writes them.
        probe.scenario.resolved["publisher"]["rate"] = std::floor(rate) == rate
                                                           ? nlohmann::ordered_json(int64_t(rate))
                                                           : nlohmann::ordered_json(rate);
        auto [row, result] = run_once(probe, index++);
        pending = std::move(result);
        return row;
      },
      [&](const Probe&, const Row& row) { reporter.on_step_done(row, pending); });
}

const std::vector<std::string>& search_csv_columns() {
  static const std::vector<std::string> names = {
      "rate", "achieved_rate", "loss_pct", "lowest_bad_rate", "probes", "status"};
  return names;
}

std::vector<std::string> search_csv_record(const std::vector<std::string>& swept_values, int step,
                                           const std::string& mode, const SearchAnswer& a) {
  std::vector<std::string> r = swept_values;
  r.push_back(std::to_string(step));
  r.push_back(mode);
  r.push_back(opt_cell(a.rate, "%.0f"));
  r.push_back(opt_cell(a.achieved, "%.1f"));
  r.push_back(opt_cell(a.loss_pct, "%.4f"));
  r.push_back(opt_cell(a.lowest_bad_rate, "%.0f"));
  r.push_back(std::to_string(a.probes));
  r.push_back(a.status);
  return r;
}

std::string describe_answer(const std::string& step_label, const std::string& mode,
                            const SearchAnswer& a) {
  std::string out = step_label + ": " + mode + ": ";
  if (a.rate) {
    out += fmt("%.0f", *a.rate) + " msg/s";
    if (a.achieved) out += " (achieved " + fmt("%.1f", *a.achieved);
    if (a.achieved && a.loss_pct) out += ", loss " + fmt("%.3f", *a.loss_pct) + " %";
    if (a.achieved) out += ")";
    if (a.lowest_bad_rate) out += ", not " + fmt("%.0f", *a.lowest_bad_rate);
  } else {
    out += "no rate kept up";
  }
  out += "; " + a.status + " after " + std::to_string(a.probes) + " probe" +
         (a.probes == 1 ? "" : "s");
  return out;
}

}  // namespace hydra
