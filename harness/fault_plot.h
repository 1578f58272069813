// The fault timeline plots: for every step whose JSON (steps/<stem>.json)
// has a "timeline" with faults (fault_figures.h), the per-second data goes to
// plots/timeline-<stem>.dat and its fault windows to
// plots/timeline-<stem>-faults.dat, and tools/plot/timeline.gp draws
// plots/timeline-<stem>.png from them: the send, acknowledge and receive
// rates with the loss per second above, the p99 latency per second below,
// the fault windows shaded. Called by render_plots() (plot.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace hydra {

// One plot to draw: its data files and where the PNG goes.
struct TimelinePlot {
  std::string stem, data, faults, png, title;
};

// Writes the data files of every step with faults under results_dir;
// errors (an unreadable step JSON) go to `errors`.
std::vector<TimelinePlot> write_timeline_data(const std::string& results_dir,
                                              std::vector<std::string>& errors);

// The gnuplot settings timeline.gp reads for one plot.
std::string timeline_settings(const TimelinePlot& p);

}  // namespace hydra
