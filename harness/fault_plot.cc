#include "harness/fault_plot.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/plot.h"

namespace fs = std::filesystem;

namespace hydra {
namespace {

// gnuplot reads "NaN" as a missing point: an empty figure stays empty.
std::string num(const nlohmann::json& v) {
  if (!v.is_number()) return "NaN";
  std::ostringstream o;
  o << v.get<double>();
  return o.str();
}

}  // namespace

std::vector<TimelinePlot> write_timeline_data(const std::string& results_dir,
                                              std::vector<std::string>& errors) {
  std::vector<TimelinePlot> out;
  const fs::path dir(results_dir);
  std::error_code ec;
  std::vector<fs::path> steps;
  for (const auto& e : fs::directory_iterator(dir / "steps", ec))
    if (e.path().extension() == ".json") steps.push_back(e.path());
  std::sort(steps.begin(), steps.end());
  for (const auto& path : steps) {
    nlohmann::json j;
    try {
      std::ifstream in(path);
      j = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      errors.push_back("timeline: " + path.string() + ": " + e.what());
      continue;
    }
    const auto& faults = j.value("faults", nlohmann::json());
    const auto& t = j.value("timeline", nlohmann::json());
    if (!faults.is_array() || faults.empty() || !t.is_object()) continue;
    TimelinePlot p;
    p.stem = path.stem().string();
    const fs::path plots = dir / "plots";
    p.data = (plots / ("timeline-" + p.stem + ".dat")).string();
    p.faults = (plots / ("timeline-" + p.stem + "-faults.dat")).string();
    p.png = (plots / ("timeline-" + p.stem + ".png")).string();
    const int readers = std::max(1, t.value("readers", 1));
    {
      std::ofstream d(p.data);
      d << "# t\tsent\tacked\trx_per_client\tlost\tdups\tp99_ms\tin_window\n";
      for (const auto& s : t.value("seconds", nlohmann::json::array())) {
        d << s.value("t", 0) << '\t' << s.value("sent", 0) << '\t' << s.value("acked", 0) << '\t'
          << double(s.value("received", 0)) / readers << '\t' << s.value("lost", 0) << '\t'
          << s.value("dups", 0) << '\t' << num(s.value("p99_ms", nlohmann::json())) << '\t'
          << (s.value("in_window", false) ? 1 : 0) << '\n';
      }
      if (!d) errors.push_back("timeline: cannot write " + p.data);
    }
    {
      std::ofstream f(p.faults);
      f << "# from_s\tuntil_s\tdescription\n";
      for (const auto& a : faults) {
        const auto& w = a.value("window", nlohmann::json());
        if (!w.is_array() || w.size() != 2) continue;
        std::string d = a.value("description", "");
        std::replace(d.begin(), d.end(), '"', '\'');
        f << num(w[0]) << '\t' << num(w[1]) << "\t\"" << d << "\"\n";
      }
    }
    std::string title = "step " + p.stem;
    const auto rec = t.value("recovery_s", nlohmann::json());
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", rec.is_number() ? rec.get<double>() : 0.0);
    title += rec.is_number() ? std::string(": recovered ") + secs + " s after the last fault"
                             : ": " + t.value("recovery", std::string());
    p.title = title;
    out.push_back(p);
  }
  return out;
}

std::string timeline_settings(const TimelinePlot& p) {
  return "data=" + gnuplot_quote(p.data) + "; faults=" + gnuplot_quote(p.faults) +
         "; out=" + gnuplot_quote(p.png) + "; title=" + gnuplot_quote(p.title);
}

}  // namespace hydra
