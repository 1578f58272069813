// hydra plot: render the plots of a finished run.
#include <filesystem>
#include <iostream>

#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/plot.h"

namespace po = boost::program_options;

namespace hydra {

int cmd_plot(const Args& args, const std::string& argv0) {
  CliSpec spec{"plot", "RESULTS_DIR",
               "Renders the plots of a finished run (its results.csv and latency/*.hgrm)\n"
               "into RESULTS_DIR/plots/ with gnuplot.",
               "The gnuplot scripts are found next to the binary's build tree or in\n"
               "$HYDRA_PLOT_DIR.\n"};
  std::string dir;
  po::options_description options("Options");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir));
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (auto code = parse_cli(spec, options, hidden, positional, args, vm)) return *code;
  if (dir.empty()) {
    std::cerr << "hydra plot: no results folder given\nusage: hydra plot " << spec.usage << "\n";
    return 2;
  }

  if (!std::filesystem::exists(std::filesystem::path(dir) / "results.csv")) {
    std::cerr << "hydra plot: " << dir << "/results.csv not found (is this a results folder?)\n";
    return 2;
  }
  const std::string scripts = find_plot_scripts_dir(argv0);
  if (scripts.empty()) {
    std::cerr << "hydra plot: cannot find the gnuplot scripts (tools/plot); set HYDRA_PLOT_DIR\n";
    return 1;
  }
  const PlotOutcome out = render_plots(dir, scripts);
  if (!out.gnuplot_found) {
    std::cerr << "hydra plot: gnuplot is not installed (apt-get install gnuplot-nox)\n";
    return 1;
  }
  for (const auto& f : out.written) std::cout << f << "\n";
  for (const auto& e : out.errors) std::cerr << "hydra plot: " << e << "\n";
  return out.errors.empty() ? 0 : 1;
}

}  // namespace hydra
