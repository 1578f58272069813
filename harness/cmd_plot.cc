// hydra plot: render the plots of a finished run, or overlay several runs.
#include <filesystem>
#include <iostream>

#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/plot.h"
#include "harness/report_html.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace hydra {
namespace {

bool is_results_dir(const std::string& dir, const char* command) {
  if (fs::exists(fs::path(dir) / "results.csv")) return true;
  std::cerr << "hydra " << command << ": " << dir
            << "/results.csv not found (is this a results folder?)\n";
  return false;
}

int report(const PlotOutcome& out) {
  if (!out.gnuplot_found) {
    std::cerr << "hydra plot: gnuplot is not installed (apt-get install gnuplot-nox)\n";
    return 1;
  }
  for (const auto& f : out.written) std::cout << f << "\n";
  for (const auto& e : out.errors) std::cerr << "hydra plot: " << e << "\n";
  return out.errors.empty() ? 0 : 1;
}

}  // namespace

int cmd_plot(const Args& args, const std::string& argv0) {
  CliSpec spec{"plot", "RESULTS_DIR | --compare RUN_A RUN_B... --out DIR",
               "Renders the plots of a finished run (its results.csv and latency/*.hgrm)\n"
               "into RESULTS_DIR/plots/ with gnuplot and writes RESULTS_DIR/report.html; with "
               "--compare, overlays several runs'\n"
               "receive rate, packet loss and latency in DIR/compare_*.png.",
               "The gnuplot scripts are found next to the binary (build tree or installed\n"
               "share/hydra/plot) or in $HYDRA_PLOT_DIR. In --compare plots each run is\n"
               "named by its folder.\n"};
  std::string dir;
  std::vector<std::string> compare;
  std::string out_dir;
  po::options_description options("Options");
  options.add_options()("compare", po::value(&compare)->multitoken(),
                        "RUN_A RUN_B...: overlay these results folders (two or more)")(
      "out", po::value(&out_dir), "with --compare: the folder for compare_*.png");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir));
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (auto code = parse_cli(spec, options, hidden, positional, args, vm)) return *code;
  const auto usage = [&](const std::string& why) {
    std::cerr << "hydra plot: " << why << "\nusage: hydra plot " << spec.usage << "\n";
    return 2;
  };

  const std::string scripts = find_plot_scripts_dir(argv0);
  if (!compare.empty() || !out_dir.empty()) {
    if (!dir.empty()) return usage("give either RESULTS_DIR or --compare, not both");
    if (compare.size() < 2) return usage("--compare needs two or more results folders");
    if (out_dir.empty()) return usage("--compare needs --out DIR");
    for (const auto& run : compare)
      if (!is_results_dir(run, "plot")) return 2;
    if (scripts.empty()) {
      std::cerr << "hydra plot: cannot find the gnuplot scripts (tools/plot); set HYDRA_PLOT_DIR\n";
      return 1;
    }
    return report(render_compare(compare, out_dir, scripts));
  }
  if (dir.empty()) return usage("no results folder given");
  if (!is_results_dir(dir, "plot")) return 2;
  if (scripts.empty()) {
    std::cerr << "hydra plot: cannot find the gnuplot scripts (tools/plot); set HYDRA_PLOT_DIR\n";
    return 1;
  }
  const int code = report(render_plots(dir, scripts));
  // The page shows whatever plots there are; it is written even when some failed.
  if (auto err = write_report_html(dir); !err.empty()) {
    std::cerr << "hydra plot: report.html: " << err << "\n";
    return 1;
  }
  std::cout << (fs::path(dir) / "report.html").string() << "\n";
  return code;
}

}  // namespace hydra
