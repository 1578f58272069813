#include "harness/plot.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include "harness/csv_reporter.h"
#include "harness/sweep_plot.h"
#include "harness/fault_plot.h"

namespace fs = std::filesystem;

namespace hydra {
namespace {

bool is_script_dir(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / "rx_rate.gp", ec);
}

// Keeps the last `limit` bytes of gnuplot's chatter for the error message.
void keep_tail(std::string& buf, const char* data, size_t n, size_t limit = 4096) {
  buf.append(data, n);
  if (buf.size() > limit) buf.erase(0, buf.size() - limit);
}

std::string last_lines(const std::string& text, int lines) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  size_t pos = t.size();
  for (int i = 0; i < lines && pos != std::string::npos && pos > 0; ++i) {
    pos = t.rfind('\n', pos - 1);
  }
  std::string tail = pos == std::string::npos ? t : t.substr(pos + 1);
  std::replace(tail.begin(), tail.end(), '\n', ' ');
  return tail;
}

bool is_nonempty_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && fs::file_size(p, ec) > 0;
}

// True when an .hgrm file has at least one data line (an empty histogram, as
// a failed step may have, has only comments).
bool hgrm_has_data(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && std::isdigit(static_cast<unsigned char>(line[first]))) {
      return true;
    }
  }
  return false;
}

struct CsvSummary {
  std::string counts;                         // distinct client counts, ascending
  std::map<std::string, std::string> titles;  // step stem -> "key=value ..."
  size_t rows = 0;
};

CsvSummary summarize(const fs::path& csv) {
  CsvSummary s;
  std::ifstream in(csv);
  const auto records = read_csv(in);
  if (records.empty()) return s;
  const auto& header = records.front();
  auto column = [&](const std::string& name) -> int {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : int(it - header.begin());
  };
  const int step = column("step"), repeat = column("repeat");
  const int clients = column("client_count"), status = column("status");
  std::set<long long> counts;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.size() < header.size()) continue;
    ++s.rows;
    // Aggregate rows (repeats) have no status: they are not steps.
    if (clients >= 0 && (status < 0 || (rec[status] != "skipped" && !rec[status].empty()))) {
      counts.insert(std::atoll(rec[clients].c_str()));
    }
    if (step >= 0 && repeat >= 0) {
      std::string title;
      for (int c = 0; c < step; ++c) title += (c ? "  " : "") + header[c] + "=" + rec[c];
      s.titles[step_file_stem(std::atoi(rec[step].c_str()), std::atoi(rec[repeat].c_str()))] =
          title;
    }
  }
  for (long long c : counts) s.counts += (s.counts.empty() ? "" : " ") + std::to_string(c);
  return s;
}

}  // namespace

const std::vector<std::string>& sweep_plot_names() {
  static const std::vector<std::string> names = {"rx_rate", "packet_loss", "failing_clients",
                                                 "latency"};
  return names;
}

std::string gnuplot_column_variable(const std::string& column_name) {
  std::string v = "col_";
  for (char c : column_name) v += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  return v;
}

std::string columns_gp(const std::vector<std::string>& header) {
  std::string out =
      "# Written by hydra from results.csv's header: the plot scripts in tools/plot/\n"
      "# read columns by these numbers, so they find them whatever the order.\n";
  std::set<std::string> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string var = gnuplot_column_variable(header[i]);
    if (!seen.insert(var).second) continue;
    out += var + " = " + std::to_string(i + 1) + "\n";
  }
  out += "col_count = " + std::to_string(header.size()) + "\n";
  return out;
}

std::string write_columns_gp(const std::string& results_dir) {
  const fs::path csv = fs::path(results_dir) / "results.csv";
  std::ifstream in(csv, std::ios::binary);
  if (!in) return "no results.csv in " + results_dir;
  // Only the header record: read_csv on the whole file would parse every row.
  std::string first;
  std::string line;
  bool quoted = false;
  while (std::getline(in, line)) {
    first += line + "\n";
    for (char c : line)
      if (c == '"') quoted = !quoted;
    if (!quoted) break;
  }
  std::istringstream header_in(first);
  const auto records = read_csv(header_in);
  if (records.empty() || records.front().empty()) return csv.string() + " has no header";
  const fs::path out_path = fs::path(results_dir) / "columns.gp";
  std::ofstream out(out_path, std::ios::out | std::ios::trunc);
  out << columns_gp(records.front());
  out.flush();
  if (!out) return "cannot write " + out_path.string();
  return "";
}

std::string gnuplot_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    const std::string candidate = dir + "/gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

std::string run_gnuplot(const std::string& gnuplot, const std::string& settings,
                        const std::string& script, double timeout_s) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  // Everything the child needs is built before fork (only exec after it).
  std::vector<std::string> args = {"gnuplot", "-e", settings, script};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return std::string("fork: ") + std::strerror(err);
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so a time-out kills whatever it started
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::execv(gnuplot.c_str(), argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  ::close(fds[1]);

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  auto ms_left = [&] {
    return std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
  };
  std::string output;
  bool timed_out = false;
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    const int left = int(std::min<long long>(ms_left(), 1000));
    const int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      char buf[4096];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n > 0) {
        keep_tail(output, buf, size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      break;  // EOF: gnuplot (and anything holding its output) is done
    }
    if (ms_left() == 0) {
      timed_out = true;
      break;
    }
  }
  ::close(fds[0]);

  // Its output closed; wait for the exit, still under the limit. Past it, the
  // whole process group is killed and reaped.
  int status = 0;
  for (;;) {
    if (timed_out) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    }
    const pid_t w = ::waitpid(pid, &status, timed_out ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return std::string("waitpid: ") + std::strerror(errno);
    if (ms_left() == 0) {
      timed_out = true;
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (timed_out) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", timeout_s);
    return std::string("gnuplot did not finish within ") + limit + " s (killed)";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  std::string why;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    why = "could not run " + gnuplot;
  } else if (WIFEXITED(status)) {
    why = "gnuplot exited with status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    why = "gnuplot killed by signal " + std::to_string(WTERMSIG(status));
  }
  const std::string tail = last_lines(output, 3);
  if (!tail.empty()) why += ": " + tail;
  return why;
}

PlotOutcome render_plots(const std::string& results_dir, const std::string& scripts_dir,
                         double timeout_s) {
  PlotOutcome outcome;
  // The column list goes beside results.csv whether or not gnuplot is here,
  // so the scripts can be run by hand later. Without results.csv there is
  // nothing to list; that error is reported below.
  const fs::path dir(results_dir);
  std::error_code ec;
  if (fs::is_regular_file(dir / "results.csv", ec)) {
    if (std::string err = write_columns_gp(results_dir); !err.empty())
      outcome.errors.push_back("columns.gp: " + err);
  }
  const std::string gnuplot = find_gnuplot();
  outcome.gnuplot_found = !gnuplot.empty();
  if (!outcome.gnuplot_found) {
    outcome.errors.push_back(
        "gnuplot not found on PATH: install it (e.g. apt-get install gnuplot), then run "
        "`hydra plot " +
        results_dir + "`");
    return outcome;
  }
  const fs::path scripts(scripts_dir);
  if (!is_script_dir(scripts)) {
    outcome.errors.push_back("plot scripts not found" +
                             (scripts_dir.empty() ? "" : " in " + scripts_dir) +
                             " (set HYDRA_PLOT_DIR to the tools/plot folder)");
    return outcome;
  }
  const fs::path plots = dir / "plots";
  fs::create_directories(plots, ec);
  if (ec) {
    outcome.errors.push_back("cannot create " + plots.string() + ": " + ec.message());
    return outcome;
  }

  auto render = [&](const std::string& what, const std::string& settings, const fs::path& script,
                    const fs::path& png) {
    fs::remove(png, ec);  // so a stale file cannot pass for a new one
    std::string err = run_gnuplot(gnuplot, settings, script.string(), timeout_s);
    if (err.empty() && !is_nonempty_file(png)) err = "gnuplot wrote no " + png.string();
    if (err.empty()) {
      outcome.written.push_back(png.string());
    } else {
      outcome.errors.push_back(what + ": " + err);
    }
  };

  const fs::path csv = dir / "results.csv";
  const CsvSummary summary = summarize(csv);
  if (!fs::is_regular_file(csv, ec)) {
    outcome.errors.push_back("no results.csv in " + results_dir);
  } else if (summary.rows == 0 || summary.counts.empty()) {
    outcome.errors.push_back(csv.string() + " has no measured rows to plot");
  } else {
    std::ifstream in(csv, std::ios::binary);
    const auto records = read_csv(in);
    // HYDRA's own plots (x = the publish rate, a line per client count) only
    // where the sweep is HYDRA's: elsewhere they would average every step
    // into one point.
    if (hydra_plots_fit(records)) {
      for (const auto& name : sweep_plot_names()) {
        const std::string settings =
            "dir=" + gnuplot_quote(dir.string()) + "; counts=" + gnuplot_quote(summary.counts);
        render(name, settings, scripts / (name + ".gp"), plots / (name + ".png"));
      }
    }
    // The generic plots follow whatever was swept (sweep_plot.h).
    const SweepPlotSet set = sweep_plots(records);
    const fs::path data = plots / "sweep-data";
    if (std::string err = write_sweep_plot_data(set, data.string()); !err.empty()) {
      outcome.errors.push_back("sweep plots: " + err);
    } else {
      std::string run = fs::absolute(dir).lexically_normal().string();
      while (run.size() > 1 && run.back() == '/') run.pop_back();
      run = fs::path(run).filename().string();
      for (const auto& plot : set.plots) {
        const fs::path png = plots / (plot.name + ".png");
        render(plot.name,
               sweep_plot_settings(set, plot, (data / (plot.name + ".dat")).string(), png.string(),
                                   run),
               scripts / "sweep.gp", png);
      }
    }
    // A run with a processing stage also plots it (its columns say so).
    std::ifstream head(csv);
    std::string header;
    std::getline(head, header);
    if (header.find("proc_series") != std::string::npos)
      render("processing", "dir=" + gnuplot_quote(dir.string()), scripts / "processing.gp",
             plots / "processing.png");
  }

  // Steps with faults: their per-second timeline (fault_plot.h).
  for (const auto& t : write_timeline_data(results_dir, outcome.errors))
    render("timeline " + t.stem, timeline_settings(t), scripts / "timeline.gp", t.png);

  std::vector<fs::path> hgrms;
  for (const auto& entry : fs::directory_iterator(dir / "latency", ec)) {
    if (entry.path().extension() == ".hgrm") hgrms.push_back(entry.path());
  }
  std::sort(hgrms.begin(), hgrms.end());
  for (const auto& hgrm : hgrms) {
    if (!hgrm_has_data(hgrm)) continue;  // an empty histogram has nothing to draw
    const std::string stem = hgrm.stem().string();
    const fs::path png = plots / ("latency-" + stem + ".png");
    std::string title = "step " + stem;
    if (auto it = summary.titles.find(stem); it != summary.titles.end() && !it->second.empty()) {
      title += ":  " + it->second;
    }
    const std::string settings = "hgrm=" + gnuplot_quote(hgrm.string()) +
                                 "; out=" + gnuplot_quote(png.string()) +
                                 "; title=" + gnuplot_quote(title);
    render("latency spectrum " + stem, settings, scripts / "latency_spectrum.gp", png);
  }
  return outcome;
}

const std::vector<std::string>& compare_plot_names() {
  static const std::vector<std::string> names = {"rx_rate", "packet_loss", "latency"};
  return names;
}

std::vector<std::string> compare_run_names(const std::vector<std::string>& run_dirs) {
  std::vector<std::string> names;
  std::map<std::string, int> uses;
  for (const auto& d : run_dirs) {
    std::string p = d;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    std::string name = fs::path(p).filename().string();
    if (name.empty() || name == ".") name = fs::absolute(p).lexically_normal().filename().string();
    if (name.empty()) name = p;
    const int n = ++uses[name];
    names.push_back(n == 1 ? name : name + " (" + std::to_string(n) + ")");
  }
  return names;
}

PlotOutcome render_compare(const std::vector<std::string>& run_dirs, const std::string& out_dir,
                           const std::string& scripts_dir, double timeout_s) {
  PlotOutcome outcome;
  for (const auto& d : run_dirs) {
    if (std::string err = write_columns_gp(d); !err.empty()) outcome.errors.push_back(err);
  }
  const std::string gnuplot = find_gnuplot();
  outcome.gnuplot_found = !gnuplot.empty();
  if (!outcome.gnuplot_found) {
    outcome.errors.push_back(
        "gnuplot not found on PATH: install it (e.g. apt-get install gnuplot)");
    return outcome;
  }
  if (!outcome.errors.empty()) return outcome;
  const fs::path script = fs::path(scripts_dir) / "compare.gp";
  std::error_code ec;
  if (!fs::is_regular_file(script, ec)) {
    outcome.errors.push_back("plot script not found: " + script.string() +
                             " (set HYDRA_PLOT_DIR to the tools/plot folder)");
    return outcome;
  }
  fs::create_directories(out_dir, ec);
  if (ec) {
    outcome.errors.push_back("cannot create " + out_dir + ": " + ec.message());
    return outcome;
  }
  const auto names = compare_run_names(run_dirs);
  std::string runs = "n=" + std::to_string(run_dirs.size());
  for (size_t i = 0; i < run_dirs.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    runs += "; run" + n + "=" + gnuplot_quote(run_dirs[i]) + "; name" + n + "=" +
            gnuplot_quote(names[i]);
  }
  const fs::path work = fs::path(out_dir) / "compare-data";
  for (const auto& what : compare_plot_names()) {
    const fs::path png = fs::path(out_dir) / ("compare_" + what + ".png");
    fs::remove(png, ec);  // so a stale file cannot pass for a new one
    const std::string settings = runs + "; what=" + gnuplot_quote(what) +
                                 "; out=" + gnuplot_quote(png.string()) +
                                 "; work=" + gnuplot_quote(work.string());
    std::string err = run_gnuplot(gnuplot, settings, script.string(), timeout_s);
    if (err.empty() && !is_nonempty_file(png)) err = "gnuplot wrote no " + png.string();
    if (err.empty()) {
      outcome.written.push_back(png.string());
    } else {
      outcome.errors.push_back("compare " + what + ": " + err);
    }
  }
  return outcome;
}

std::string find_plot_scripts_dir(const std::string& argv0) {
  if (const char* env = std::getenv("HYDRA_PLOT_DIR"); env && *env) {
    return is_script_dir(env) ? std::string(env) : "";
  }
  std::error_code ec;
  std::vector<fs::path> binaries;
  if (argv0.find('/') != std::string::npos) binaries.push_back(fs::absolute(argv0, ec));
  binaries.push_back(fs::read_symlink("/proc/self/exe", ec));
  for (const auto& bin : binaries) {
    if (bin.empty()) continue;
    const fs::path bin_dir = fs::weakly_canonical(bin, ec).parent_path();
    for (const fs::path& candidate :
         {bin_dir / ".." / ".." / "tools" / "plot", bin_dir / ".." / "share" / "hydra" / "plot"}) {
      if (is_script_dir(candidate)) return fs::weakly_canonical(candidate, ec).string();
    }
  }
  // The source tree this file was compiled from (CMake passes absolute paths).
  const fs::path source = fs::path(__FILE__).parent_path().parent_path() / "tools" / "plot";
  if (source.is_absolute() && is_script_dir(source)) return source.string();
  return "";
}

}  // namespace hydra
