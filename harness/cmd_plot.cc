// hydra plot: render the plots of a finished run.
#include <filesystem>
#include <iostream>

#include "harness/commands.h"
#include "harness/plot.h"

namespace hydra {

int cmd_plot(const Args& args, const std::string& argv0) {
  if (args.size() != 1 || args[0].rfind("-", 0) == 0) {
    std::cerr << "usage: hydra plot RESULTS_DIR\n";
    return args.size() == 1 && (args[0] == "-h" || args[0] == "--help") ? 0 : 2;
  }
  const std::string dir = args[0];
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
