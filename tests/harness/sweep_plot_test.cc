// The generic sweep plots (harness/sweep_plot.h): which column is x, which
// swept keys make the lines, mean and stddev of repeats, what a producer-only
// run leaves out; and gnuplot draws them from tools/plot/sweep.gp.
#include "harness/sweep_plot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/csv_reporter.h"
#include "harness/plot.h"

#ifndef HYDRA_SOURCE_DIR
#error "HYDRA_SOURCE_DIR must name the source tree"
#endif

namespace hydra {
namespace {

namespace fs = std::filesystem;
using Records = std::vector<std::vector<std::string>>;

const std::vector<std::string> kFigures = {
    "client_count", "msg_rate",        "status",    "aggregate",
    "probe",        "average_tx_rate", "rx_rate",   "average_packet_loss",
    "lat_p50_ms",   "lat_p99_ms",      "ack_p99_ms"};

// A results.csv: the sweep keys, step, repeat, then kFigures.
struct Csv {
  Records records;
  explicit Csv(std::vector<std::string> keys) {
    keys.push_back("step");
    keys.push_back("repeat");
    keys.insert(keys.end(), kFigures.begin(), kFigures.end());
    records.push_back(keys);
  }
  // swept values, then step, repeat, then the figures in kFigures order.
  void add(std::vector<std::string> cells) { records.push_back(std::move(cells)); }
};

const SweepPlot* find(const SweepPlotSet& s, const std::string& name) {
  for (const auto& p : s.plots)
    if (p.name == name) return &p;
  return nullptr;
}

TEST(SweepPlot, BatchSizeSweepAtRateZeroIsDrawnOverTheBatchSizes) {
  Csv c({"publisher.rate", "publisher.kafka.batch.size"});
  int step = 0;
  for (const char* batch : {"16384", "65536", "262144"}) {
    c.add({"0", batch, std::to_string(step), "0", "0", "0.0", "ok", "", "",
           std::to_string(100000 * (step + 1)), "", "", "", "", "3.5"});
    ++step;
  }
  const SweepPlotSet s = sweep_plots(c.records);
  EXPECT_EQ(s.x_key, "publisher.kafka.batch.size");
  EXPECT_TRUE(s.x_numeric);
  EXPECT_TRUE(s.series_keys.empty());  // the rate does not vary
  const SweepPlot* tp = find(s, "sweep_throughput");
  ASSERT_TRUE(tp);
  ASSERT_EQ(tp->lines.size(), 1u);  // sent; nothing was received (producer-only)
  EXPECT_EQ(tp->lines[0].title, "sent");
  ASSERT_EQ(tp->lines[0].points.size(), 3u);
  EXPECT_EQ(tp->lines[0].points[0].x, 16384);
  EXPECT_EQ(tp->lines[0].points[2].x, 262144);
  EXPECT_EQ(tp->lines[0].points[2].mean, 300000);
  // Nothing measured, nothing drawn: no loss or end-to-end latency plot.
  EXPECT_FALSE(find(s, "sweep_loss"));
  EXPECT_FALSE(find(s, "sweep_latency"));
  EXPECT_TRUE(find(s, "sweep_ack"));
  EXPECT_FALSE(hydra_plots_fit(c.records));
}

TEST(SweepPlot, HydraPlotsNeedClients) {
  // The rate varies, but nobody received: a producer-only run.
  Csv c({"publisher.rate"});
  c.add({"1000", "0", "0", "0", "1000", "ok", "", "", "1000", "", "", "", "", "1"});
  c.add({"0", "1", "0", "0", "0.0", "ok", "", "", "90000", "", "", "", "", "9"});
  EXPECT_FALSE(hydra_plots_fit(c.records));
  c.records[1][3] = "2";
  EXPECT_TRUE(hydra_plots_fit(c.records));
}

TEST(SweepPlot, HydraGridIsRateOnXAndALinePerClientCount) {
  Csv c({"subscribers.clients", "publisher.rate"});
  int step = 0;
  for (const char* clients : {"10", "50"})
    for (const char* rate : {"1000", "2000"})
      c.add({clients, rate, std::to_string(step++), "0", clients, rate, "ok", "", "", rate, rate,
             "0.0", "2.0", "5.0", "3.0"});
  const SweepPlotSet s = sweep_plots(c.records);
  EXPECT_EQ(s.x_key, "publisher.rate");
  EXPECT_EQ(s.series_keys, std::vector<std::string>{"subscribers.clients"});
  const SweepPlot* lat = find(s, "sweep_latency");
  ASSERT_TRUE(lat);
  EXPECT_TRUE(lat->log_y);
  ASSERT_EQ(lat->lines.size(), 4u);  // p50, p99 x two client counts
  EXPECT_EQ(lat->lines[0].title, "p50, subscribers.clients=10");
  EXPECT_EQ(lat->lines[1].title, "p50, subscribers.clients=50");
  EXPECT_EQ(lat->lines[1].series, 2);
  EXPECT_EQ(lat->lines[2].quantity, 2);
  EXPECT_TRUE(find(s, "sweep_loss"));
  EXPECT_TRUE(hydra_plots_fit(c.records));
  EXPECT_FALSE(s.errors);
}

TEST(SweepPlot, InnermostNumericKeyEvenWhenATextKeyIsInside) {
  Csv c({"topic.partitions", "publisher.acks"});
  int step = 0;
  for (const char* p : {"1", "4"})
    for (const char* acks : {"0", "1", "all"})
      c.add({p, acks, std::to_string(step++), "0", "0", "0.0", "ok", "", "", "1000", "", "", "", "",
             "1"});
  const SweepPlotSet s = sweep_plots(c.records);
  EXPECT_EQ(s.x_key, "topic.partitions");
  EXPECT_TRUE(s.x_numeric);
  EXPECT_EQ(s.series_keys, std::vector<std::string>{"publisher.acks"});
  ASSERT_TRUE(find(s, "sweep_throughput"));
  EXPECT_EQ(find(s, "sweep_throughput")->lines.size(), 3u);
  EXPECT_EQ(find(s, "sweep_throughput")->lines[2].title, "sent, publisher.acks=all");
}

TEST(SweepPlot, NoNumericKeyGivesCategories) {
  Csv c({"publisher.acks", "publisher.kafka.compression.type"});
  int step = 0;
  for (const char* acks : {"1", "all"})
    for (const char* codec : {"none", "lz4", "zstd"})
      c.add({acks, codec, std::to_string(step++), "0", "0", "0.0", "ok", "", "", "1000", "", "", "",
             "", "1"});
  const SweepPlotSet s = sweep_plots(c.records);
  EXPECT_EQ(s.x_key, "publisher.kafka.compression.type");
  EXPECT_FALSE(s.x_numeric);
  EXPECT_EQ(s.series_keys, std::vector<std::string>{"publisher.acks"});
  const auto& line = find(s, "sweep_throughput")->lines.at(0);
  ASSERT_EQ(line.points.size(), 3u);
  EXPECT_EQ(line.points[1].x, 1);
  EXPECT_EQ(line.points[1].label, "lz4");
}

TEST(SweepPlot, RepeatsGiveMeanAndStddevAndAggregateRowsAreNotReadAgain) {
  Csv c({"publisher.rate"});
  c.add({"1000", "0", "0", "2", "1000", "ok", "", "", "990", "", "", "", "", ""});
  c.add({"1000", "0", "1", "2", "1000", "ok", "", "", "1010", "", "", "", "", ""});
  c.add({"1000", "0", "2", "2", "1000", "interrupted", "", "", "10", "", "", "", "", ""});
  // The aggregate rows results.csv carries after them: not measured rows.
  c.add({"1000", "0", "", "2.000", "1000.0", "", "mean", "", "1000", "", "", "", "", ""});
  c.add({"1000", "0", "", "0.000", "0.0", "", "stddev", "", "14.1", "", "", "", "", ""});
  c.add({"2000", "1", "0", "2", "2000", "ok", "", "", "1900", "", "", "", "", ""});
  const SweepPlotSet s = sweep_plots(c.records);
  EXPECT_EQ(s.x_key, "publisher.rate");
  EXPECT_TRUE(s.errors);
  const auto& pts = find(s, "sweep_throughput")->lines.at(0).points;
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[0].mean, 1000);
  EXPECT_NEAR(pts[0].stddev, 14.142, 1e-3);
  EXPECT_EQ(pts[0].n, 2);
  EXPECT_EQ(pts[1].n, 1);
  EXPECT_EQ(pts[1].stddev, 0);
}

TEST(SweepPlot, ASearchIsDrawnOverTheProbesRate) {
  Csv c({"subscribers.clients"});
  int n = 0;
  for (const char* clients : {"1", "10"})
    for (const char* rate : {"1000", "2000", "4000"})
      c.add({clients, "0", std::to_string(n++ % 3), clients, rate, "ok", "",
             std::to_string(n % 3 + 1), rate, rate, "0", "", "", ""});
  const SweepPlotSet s = sweep_plots(c.records);
  EXPECT_EQ(s.x_key, "msg_rate");
  EXPECT_EQ(s.series_keys, std::vector<std::string>{"subscribers.clients"});
  EXPECT_FALSE(hydra_plots_fit(c.records));
}

TEST(SweepPlot, GnuplotDrawsThemFromResultsCsv) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  const fs::path dir = fs::temp_directory_path() / ("hydra-sweep-plot-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Csv c({"publisher.acks", "publisher.kafka.batch.size"});
  int step = 0;
  for (const char* acks : {"1", "all"})
    for (const char* batch : {"16384", "65536"})
      for (int rep = 0; rep < 2; ++rep)
        c.add({acks, batch, std::to_string(step), std::to_string(rep), "2", "0.0", "ok", "", "",
               std::to_string(1000 * (step + 1) + rep * 50), "900", "0.0", "2.5", "9.0", "4.0"}),
            step += rep;
  {
    std::ofstream out(dir / "results.csv");
    for (const auto& r : c.records) out << csv_line(r);
  }
  const PlotOutcome out = render_plots(dir.string(), std::string(HYDRA_SOURCE_DIR) + "/tools/plot");
  for (const auto& e : out.errors) ADD_FAILURE() << e;
  for (const char* name : {"sweep_throughput", "sweep_loss", "sweep_latency", "sweep_ack"})
    EXPECT_GT(fs::file_size(dir / "plots" / (std::string(name) + ".png")), 1000u) << name;
  // HYDRA's rate plots do not fit a batch-size sweep: not drawn.
  EXPECT_FALSE(fs::exists(dir / "plots" / "rx_rate.png"));
  // No MB/s columns in this file: no MB/s plot.
  EXPECT_FALSE(fs::exists(dir / "plots" / "sweep_mb.png"));
  EXPECT_EQ(out.written.size(), 4u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hydra
