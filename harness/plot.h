// Renders a run's plots with gnuplot and the scripts in tools/plot/ (one per
// plot kind). Called by `hydra plot RESULTS_DIR` and at the end of `hydra run`.
//
// Each script runs as its own gnuplot process (fork/exec, stdin from
// /dev/null) under a time limit, so a broken script or a stuck gnuplot never
// hangs the run; a plot that fails is an error in the outcome, not an
// exception.
#pragma once

#include <string>
#include <vector>

namespace hydra {

struct PlotOutcome {
  bool gnuplot_found = false;
  std::vector<std::string> written;  // PNG files written (full paths)
  std::vector<std::string> errors;   // one line each: which plot, why
  bool ok() const { return gnuplot_found && errors.empty(); }
};

// The sweep plots, drawn from results.csv, each to plots/<name>.png.
const std::vector<std::string>& sweep_plot_names();  // rx_rate, packet_loss, ...

// The gnuplot variable that holds a results.csv column's number in
// columns.gp: "col_" + the name with every character outside [A-Za-z0-9_]
// made '_' ("subscribers.clients" -> col_subscribers_clients).
std::string gnuplot_column_variable(const std::string& column_name);

// The text of columns.gp for a results.csv header: one `col_<name> = <n>`
// line per column (n 1-based, as gnuplot's column() counts; the first of two
// names that map to one variable wins), then `col_count = <columns>`.
std::string columns_gp(const std::vector<std::string>& header);

// Writes results_dir/columns.gp from results_dir/results.csv's header, so
// the plot scripts (tools/plot/, which `load` it) find every column by name
// whatever the sweep keys, the order or the columns added since. "" on
// success, else why (no results.csv, cannot write).
std::string write_columns_gp(const std::string& results_dir);

// Writes columns.gp (write_columns_gp), then renders every sweep plot from
// results_dir/results.csv into results_dir/plots/,
// and, for each results_dir/latency/<stem>.hgrm with data, the latency
// spectrum plots/latency-<stem>.png. gnuplot is looked up on PATH.
// timeout_s bounds each gnuplot process.
PlotOutcome render_plots(const std::string& results_dir, const std::string& scripts_dir,
                         double timeout_s = 30);

// The figures `hydra plot --compare` overlays: rx_rate, packet_loss, latency.
const std::vector<std::string>& compare_plot_names();

// The legend name of each run: its folder's name; a name two runs share gets
// " (2)", " (3)", ... on its later uses.
std::vector<std::string> compare_run_names(const std::vector<std::string>& run_dirs);

// Overlays the runs' sweep figures (tools/plot/compare.gp), each to
// out_dir/compare_<name>.png, the runs named by compare_run_names. Writes
// every run's columns.gp first; a run without results.csv is an error naming
// it. The extracted rows go to out_dir/compare-data/.
PlotOutcome render_compare(const std::vector<std::string>& run_dirs, const std::string& out_dir,
                           const std::string& scripts_dir, double timeout_s = 30);

// Where the plot scripts are: $HYDRA_PLOT_DIR if set; else
// <binary's folder>/../../tools/plot (the build tree: build/bin/hydra); else
// <binary's folder>/../share/hydra/plot (an installed hydra: bin/hydra); else
// the source tree this file was compiled from. The first that holds rx_rate.gp;
// "" when none does.
std::string find_plot_scripts_dir(const std::string& argv0);

// Runs `gnuplot -e SETTINGS SCRIPT` with a time limit. Returns "" on success,
// else why (exit status, signal, time-out, gnuplot's last stderr lines).
std::string run_gnuplot(const std::string& gnuplot, const std::string& settings,
                        const std::string& script, double timeout_s);

// The gnuplot executable found on PATH, "" when none.
std::string find_gnuplot();

// A gnuplot single-quoted string literal holding s ('' stands for ').
std::string gnuplot_quote(const std::string& s);

}  // namespace hydra
