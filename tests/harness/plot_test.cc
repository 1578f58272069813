// render_plots: gnuplot and the tools/plot scripts draw PNGs from a small
// synthetic run (results.csv and latency/*.hgrm as the reporters write them).
// Skipped only when gnuplot is not installed.
#include "harness/plot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/csv_reporter.h"
#include "harness/hgrm_writer.h"

#ifndef HYDRA_SOURCE_DIR
#error "HYDRA_SOURCE_DIR must name the source tree"
#endif

namespace hydra {
namespace {

namespace fs = std::filesystem;

const std::string kScripts = std::string(HYDRA_SOURCE_DIR) + "/tools/plot";

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
  void write_run() {
    RunInfo info;
    info.scenario = "plot-test";
    info.sweep_keys = {"subscribers.clients", "publisher.rate"};
    info.total_steps = 6;
    CsvReporter csv(dir_ / "results.csv");
    HgrmWriter hgrm(dir_);
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
          r.clients.push_back(s);
        }
        if (r.step == 2) {
          r.status = "skipped";
        } else if (r.step == 4) {
          r.status = "failed";
          r.error = "agent sub-1: timed out, \"stats\"\nafter 10 s";
        }
        const Row row = compute_row(r);
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
  EXPECT_EQ(out.written.size(), sweep_plot_names().size() + 5);
  for (const auto& w : out.written) EXPECT_TRUE(is_png(w)) << w;
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
