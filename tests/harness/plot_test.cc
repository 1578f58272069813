// render_plots: gnuplot and the tools/plot scripts draw PNGs from a small
// synthetic run (results.csv and latency/*.hgrm as the reporters write them).
// Skipped only when gnuplot is not installed.
#include "harness/plot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/processing_stats.h"
#include "harness/columns.h"
#include "harness/csv_reporter.h"
#include "harness/hgrm_writer.h"
#include "harness/scenario.h"

#ifndef HYDRA_SOURCE_DIR
#error "HYDRA_SOURCE_DIR must name the source tree"
#endif

namespace hydra {
namespace {

namespace fs = std::filesystem;

const std::string kScripts = std::string(HYDRA_SOURCE_DIR) + "/tools/plot";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_png(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in && std::string(magic, 8) == "\x89PNG\r\n\x1a\n" && fs::file_size(p) > 1000;
}

class PlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hydra-plot-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A 2 x 3 sweep (clients x rate) with a skipped step, a failed one whose
  // error has a comma and a line break, and one empty latency histogram.
  // With processing, the run's extra columns too: 2 clients run no stage, 3
  // run zscore on the cpu; the batch is rate / 10.
  void write_run(bool processing = false, const fs::path& where = {}) {
    const fs::path dir = where.empty() ? dir_ : where;
    RunInfo info;
    info.scenario = "plot-test";
    info.sweep_keys = {"subscribers.clients", "publisher.rate"};
    info.total_steps = 6;
    if (processing) info.extra_columns = run_extra_columns(true);
    CsvReporter csv(dir / "results.csv");
    HgrmWriter hgrm(dir);
    csv.on_run_start(info);
    int step = 0;
    for (int clients : {2, 3}) {
      for (int rate : {1000, 2000, 4000}) {
        StepResult r;
        r.step = step++;
        r.swept = {{"subscribers.clients", clients}, {"publisher.rate", rate}};
        r.client_count = clients;
        r.msg_rate = rate;
        r.measured_s = 10;
        r.publisher_ok = true;
        r.window.until[0] = uint64_t(rate) * 10;
        // Measured rows have their agents' usage: the scripts tell a whole
        // record by its sub_rss_mb (empty only when nothing was measured).
        ProcessUsage usage;
        usage.cpu_ns = 1'000'000'000;
        usage.span_ns = 10'000'000'000;
        usage.max_rss_bytes = 64u << 20;
        r.subscriber_usage = {usage};
        const double loss = clients == 3 ? rate / 400.0 : 0;  // percent
        for (int c = 0; c < clients; ++c) {
          ClientStats s;
          s.client_id = c;
          s.unique = uint64_t(double(r.window.size()) * (1 - loss / 100));
          s.first_recv_ns = 1;
          s.last_recv_ns = 1 + 10'000'000'000;
          if (r.step != 5) {
            for (int i = 1; i <= 1000; ++i)
              s.latency.record(int64_t(i) * (clients * 100 + rate) * 10);
          }
          if (processing && clients == 3) {
            ProcessingStats p;
            p.records = s.unique;
            p.batches = 10;
            p.cpu_ns = 1000 * p.records;
            p.added_latency.record_n(int64_t(rate) * 1000, p.records);
            p.e2e_latency.record_n(int64_t(rate) * 2000, p.records);
            s.processing = p.to_json();
          }
          r.clients.push_back(s);
        }
        if (r.step == 2) {
          r.status = "skipped";
        } else if (r.step == 4) {
          r.status = "failed";
          r.error = "agent sub-1: timed out, \"stats\"\nafter 10 s";
        }
        Scenario sc;
        sc.subscribers.processing.kind = clients == 3 ? "zscore" : "none";
        sc.subscribers.processing.batch = rate / 10;
        StepContext ctx;
        ctx.scenario = &sc;
        ctx.processing = processing;
        const Row row = compute_row(r, ctx);
        csv.on_step_done(row, r);
        hgrm.on_step_done(row, r);
      }
    }
    csv.on_run_end(false);
  }

  fs::path dir_;
};

TEST_F(PlotTest, RendersEveryPlotAsPng) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  write_run();
  const PlotOutcome out = render_plots(dir_.string(), kScripts);
  EXPECT_TRUE(out.gnuplot_found);
  for (const auto& e : out.errors) ADD_FAILURE() << e;
  for (const auto& name : sweep_plot_names()) {
    const fs::path png = dir_ / "plots" / (name + ".png");
    EXPECT_TRUE(is_png(png)) << png;
  }
  // One spectrum per step with latency data; step 5 recorded none.
  for (const char* stem : {"000-r0", "001-r0", "002-r0", "003-r0", "004-r0"}) {
    const fs::path png = dir_ / "plots" / ("latency-" + std::string(stem) + ".png");
    EXPECT_TRUE(is_png(png)) << png;
  }
  EXPECT_FALSE(fs::exists(dir_ / "plots" / "latency-005-r0.png"));
  // And the generic sweep plots (sweep_plot.h): throughput, loss, latency at least.
  const auto generic = std::count_if(out.written.begin(), out.written.end(), [](const auto& w) {
    return fs::path(w).filename().string().rfind("sweep_", 0) == 0;
  });
  EXPECT_GE(generic, 3);
  EXPECT_EQ(out.written.size(), sweep_plot_names().size() + 5 + size_t(generic));
  EXPECT_TRUE(fs::exists(dir_ / "columns.gp"));
  for (const auto& w : out.written) EXPECT_TRUE(is_png(w)) << w;
}

TEST_F(PlotTest, ColumnsGpNumbersEveryHeaderColumnByName) {
  write_run(true);
  const PlotOutcome out = render_plots(dir_.string(), kScripts);  // writes columns.gp first
  const std::string gp = slurp(dir_ / "columns.gp");
  std::ifstream in(dir_ / "results.csv");
  const auto header = read_csv(in).at(0);
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string line =
        "\n" + gnuplot_column_variable(header[i]) + " = " + std::to_string(i + 1) + "\n";
    EXPECT_NE(gp.find(line), std::string::npos) << header[i] << " in\n" << gp;
  }
  EXPECT_NE(gp.find("\ncol_subscribers_clients = 1\n"), std::string::npos) << gp;
  EXPECT_NE(gp.find("\ncol_count = " + std::to_string(header.size()) + "\n"), std::string::npos);
  // Two names that make one variable: the first keeps it.
  EXPECT_EQ(
      columns_gp({"a.b", "a_b"}),
      columns_gp({"a.b"}).substr(0, columns_gp({"a.b"}).rfind("col_count")) + "col_count = 2\n");
}

// The plots of a run whose results.csv has a column inserted and the others
// reordered are the same images, byte for byte, as the plots
// of the file as written; and a run with other figures gives other images
// (so the comparison can fail). A script that counted columns would plot the
// inserted column, or the reversed ones, instead.
TEST_F(PlotTest, ScriptsFindTheirColumnsWhenOneIsInsertedAndOthersReordered) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  // Same folder name, so the titles (which name the run) are the same.
  const fs::path as_written = dir_ / "a" / "run";
  const fs::path reordered = dir_ / "b" / "run";
  const fs::path other = dir_ / "c" / "run";
  for (const auto& d : {as_written, reordered, other}) fs::create_directories(d);
  write_run(true, as_written);
  {
    std::ifstream in(as_written / "results.csv");
    const auto recs = read_csv(in);
    std::ofstream out(reordered / "results.csv", std::ios::binary);
    std::ofstream changed(other / "results.csv", std::ios::binary);
    const auto& header = recs.at(0);
    const size_t rate = std::find(header.begin(), header.end(), "average_rate") - header.begin();
    const size_t proc = std::find(header.begin(), header.end(), "proc_rate") - header.begin();
    ASSERT_LT(proc, header.size());
    // The order: the sweep keys, then "inserted" (holding numbers a script
    // that counted columns would take for data), step and repeat, the
    // contract's figures reversed (status and error stay after them, as the
    // contract has it), then the other columns reversed.
    auto at = [&](const std::string& name) {
      return size_t(std::find(header.begin(), header.end(), name) - header.begin());
    };
    const size_t first = at("client_count"), status = at("status");
    std::vector<size_t> order = {0, 1, header.size(), at("step"), at("repeat")};
    for (size_t c = status; c-- > first;) order.push_back(c);
    order.push_back(status);
    order.push_back(at("error"));
    for (size_t c = header.size(); c-- > at("error") + 1;) order.push_back(c);
    for (size_t r = 0; r < recs.size(); ++r) {
      std::vector<std::string> fields;
      for (size_t c : order)
        fields.push_back(c < header.size() ? recs[r][c]
                         : r == 0          ? "inserted"
                                           : std::to_string(7 * r + 1));
      out << csv_line(fields);
      std::vector<std::string> copy = recs[r];
      if (r > 0) {
        copy[rate] = std::to_string(std::atof(copy[rate].c_str()) / 2);
        copy[proc] = std::to_string(std::atof(copy[proc].c_str()) / 2);
      }
      changed << csv_line(copy);
    }
  }
  for (const auto& d : {as_written, reordered, other}) {
    const PlotOutcome out = render_plots(d.string(), kScripts);
    for (const auto& e : out.errors) ADD_FAILURE() << d << ": " << e;
  }
  std::vector<std::string> plots = sweep_plot_names();
  plots.push_back("processing");
  for (const auto& name : plots) {
    const std::string png = "plots/" + name + ".png";
    ASSERT_TRUE(is_png(as_written / png)) << png;
    EXPECT_TRUE(slurp(as_written / png) == slurp(reordered / png))
        << png << " changed with the order";
  }
  EXPECT_TRUE(slurp(as_written / "plots/rx_rate.png") != slurp(other / "plots/rx_rate.png"));
  EXPECT_TRUE(slurp(as_written / "plots/processing.png") != slurp(other / "plots/processing.png"));
}

TEST_F(PlotTest, AScriptWithoutColumnsGpSaysHowToWriteIt) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  write_run();
  const std::string err =
      run_gnuplot(gnuplot, "dir=" + gnuplot_quote(dir_.string()), kScripts + "/rx_rate.gp", 30);
  EXPECT_NE(err.find("columns.gp"), std::string::npos) << err;
  EXPECT_NE(err.find("hydra plot"), std::string::npos) << err;
}

TEST_F(PlotTest, MissingResultsIsAnErrorNotACrash) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  const PlotOutcome out = render_plots(dir_.string(), kScripts);
  EXPECT_TRUE(out.gnuplot_found);
  ASSERT_FALSE(out.errors.empty());
  EXPECT_NE(out.errors[0].find("results.csv"), std::string::npos) << out.errors[0];
  EXPECT_TRUE(out.written.empty());
}

TEST_F(PlotTest, MissingGnuplotIsAClearError) {
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  ::setenv("PATH", dir_.c_str(), 1);  // an empty folder: no gnuplot
  const PlotOutcome out = render_plots(dir_.string(), kScripts);
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_FALSE(out.gnuplot_found);
  EXPECT_FALSE(out.ok());
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].find("gnuplot not found"), std::string::npos);
}

TEST_F(PlotTest, AHangingGnuplotIsKilledAtTheTimeLimit) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  const fs::path script = dir_ / "forever.gp";
  std::ofstream(script) << "while (1) { }\n";
  const auto start = std::chrono::steady_clock::now();
  const std::string err = run_gnuplot(gnuplot, "x=1", script.string(), 1.0);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(err.find("did not finish"), std::string::npos) << err;
  EXPECT_LT(took, 10.0);
}

TEST_F(PlotTest, AFailingScriptReportsGnuplotsMessage) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  const fs::path script = dir_ / "bad.gp";
  std::ofstream(script) << "plot 'no-such-file.dat'\n";
  const std::string err = run_gnuplot(gnuplot, "x=1", script.string(), 10);
  EXPECT_NE(err.find("no-such-file.dat"), std::string::npos) << err;
}

// gnuplot's axis ends after a script ran: "xmin xmax ymin ymax y2min y2max".
std::vector<double> axis_ends(const fs::path& dir, const std::string& script) {
  const fs::path wrapper = dir / ("ends-" + script);
  std::ofstream(wrapper) << "load " << gnuplot_quote(kScripts + "/" + script) << "\n"
                         << "print sprintf('%.9g %.9g %.9g %.9g %.9g %.9g', GPVAL_X_MIN, "
                            "GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX, GPVAL_Y2_MIN, GPVAL_Y2_MAX)\n";
  const std::string cmd = find_gnuplot() + " -e \"dir='" + dir.string() + "'\" '" +
                          wrapper.string() + "' 2>&1 </dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  std::istringstream last(out.substr(out.rfind('\n', out.size() - 2) + 1));
  std::vector<double> ends(6, std::nan(""));
  for (auto& e : ends) last >> e;
  if (!last) ADD_FAILURE() << script << " printed:\n" << out;
  return ends;
}

// No series on a border: every axis reaches past the measured data on both
// ends. The data (write_run): rates 1000..4000 msg/s, receive rates up to
// 4000, loss 0..10 %, 0..3 failing clients; latency as results.csv has it.
TEST_F(PlotTest, EveryAxisHasHeadroom) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  write_run();
  ASSERT_EQ(write_columns_gp(dir_.string()), "");
  for (const char* script : {"rx_rate.gp", "packet_loss.gp", "failing_clients.gp", "latency.gp"}) {
    SCOPED_TRACE(script);
    const auto e = axis_ends(dir_, script);
    EXPECT_LT(e[0], 1000);
    EXPECT_GT(e[1], 4000);
  }
  auto e = axis_ends(dir_, "rx_rate.gp");
  EXPECT_LT(e[2], 0);
  EXPECT_GT(e[3], 4000);
  e = axis_ends(dir_, "packet_loss.gp");
  EXPECT_LT(e[2], 0);
  EXPECT_GT(e[3], 10);
  e = axis_ends(dir_, "failing_clients.gp");
  EXPECT_LT(e[4], 0);  // y2: the failing clients, 0 .. 3
  EXPECT_GT(e[5], 3);
  // Latency: the least p50 and the most p99.9 of the measured rows.
  std::ifstream in(dir_ / "results.csv");
  const auto recs = read_csv(in);
  const auto& h = recs.at(0);
  const auto col = [&](const char* n) {
    return size_t(std::find(h.begin(), h.end(), n) - h.begin());
  };
  double p50 = 1e300, p999 = 0;
  for (size_t r = 1; r < recs.size(); ++r) {
    if (recs[r][col("status")] == "skipped" || recs[r][col("lat_p50_ms")].empty() ||
        std::stod(recs[r][col("lat_p50_ms")]) <= 0)
      continue;
    p50 = std::min(p50, std::stod(recs[r][col("lat_p50_ms")]));
    p999 = std::max(p999, std::stod(recs[r][col("lat_p999_ms")]));
  }
  ASSERT_GT(p999, p50);
  e = axis_ends(dir_, "latency.gp");
  EXPECT_GT(e[2], 0);  // a log axis
  EXPECT_LT(e[2], p50);
  EXPECT_GT(e[3], p999);
}

TEST_F(PlotTest, CompareOverlaysRuns) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  const fs::path a = dir_ / "before", b = dir_ / "after", out = dir_ / "cmp";
  fs::create_directories(a);
  fs::create_directories(b);
  write_run(false, a);
  write_run(true, b);  // other columns: found by name in each run
  const PlotOutcome o = render_compare({a.string(), b.string() + "/"}, out.string(), kScripts);
  for (const auto& err : o.errors) ADD_FAILURE() << err;
  ASSERT_EQ(o.written.size(), compare_plot_names().size());
  for (const auto& name : compare_plot_names())
    EXPECT_TRUE(is_png(out / ("compare_" + name + ".png"))) << name;
  // Each run's measured rows (the skipped one left out), its figures in order.
  for (const char* data : {"run1.dat", "run2.dat"}) {
    std::ifstream in(out / "compare-data" / data);
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::vector<double> row;
      for (double v; fields >> v;) row.push_back(v);
      if (!row.empty()) rows.push_back(row);
    }
    ASSERT_EQ(rows.size(), 5u) << data;
    EXPECT_EQ(rows[0][0], 2);             // client_count
    EXPECT_EQ(rows[0][1], 1000);          // msg_rate
    EXPECT_NEAR(rows[4][3], 10.0, 1e-3);  // average_packet_loss, 3 clients at 4000
  }
  // A run without results is named.
  const PlotOutcome bad =
      render_compare({a.string(), (dir_ / "none").string()}, out.string(), kScripts);
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_NE(bad.errors[0].find("none"), std::string::npos) << bad.errors[0];
}

TEST(PlotScripts, CompareNamesRunsByFolder) {
  EXPECT_EQ(compare_run_names({"results/a", "/x/b/", "other/a", "a"}),
            (std::vector<std::string>{"a", "b", "a (2)", "a (3)"}));
}

TEST(PlotScripts, FoundInTheInstalledLayout) {
  const fs::path prefix =
      fs::temp_directory_path() / ("hydra-plot-prefix-" + std::to_string(::getpid()));
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share" / "hydra" / "plot");
  std::ofstream(prefix / "bin" / "hydra") << "";
  std::ofstream(prefix / "share" / "hydra" / "plot" / "rx_rate.gp") << "";
  ::unsetenv("HYDRA_PLOT_DIR");
  EXPECT_EQ(find_plot_scripts_dir((prefix / "bin" / "hydra").string()),
            fs::weakly_canonical(prefix / "share" / "hydra" / "plot").string());
  fs::remove_all(prefix);
}

TEST(PlotScripts, FoundThroughTheEnvironmentOrTheSourceTree) {
  ::setenv("HYDRA_PLOT_DIR", kScripts.c_str(), 1);
  EXPECT_EQ(find_plot_scripts_dir("/nowhere/hydra"), kScripts);
  ::unsetenv("HYDRA_PLOT_DIR");
  const std::string found = find_plot_scripts_dir("/nowhere/hydra");
  ASSERT_FALSE(found.empty());
  EXPECT_TRUE(fs::exists(fs::path(found) / "rx_rate.gp"));
  EXPECT_TRUE(fs::exists(fs::path(found) / "latency_spectrum.gp"));
}

TEST(PlotScripts, GnuplotQuoting) {
  EXPECT_EQ(gnuplot_quote("/tmp/a b"), "'/tmp/a b'");
  EXPECT_EQ(gnuplot_quote("it's"), "'it''s'");
}

}  // namespace
}  // namespace hydra
