// Aggregate rows (harness/aggregate.h): mean, sample stddev, min, max and n
// over a step's repeats, empty cells left out (never taken as 0), text
// columns empty; and how results.csv prints them (empty repeat, the
// statistic in the `aggregate` column).
#include "harness/aggregate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "harness/csv_reporter.h"

namespace hydra {
namespace {

Row repeat_row(int repeat, std::optional<double> tx_rate, std::optional<double> p99,
               std::string status = "ok") {
  Row r;
  r.step = 3;
  r.repeat = repeat;
  r.swept = {{"publisher.acks", "all"}};
  r.client_count = 2;
  r.msg_rate = 1000;
  r.average_tx_rate = tx_rate;
  r.lat_p99_ms = p99;
  r.status = std::move(status);
  return r;
}

const AggregateRow& stat(const std::vector<AggregateRow>& rows, const std::string& name) {
  for (const auto& r : rows)
    if (r.statistic == name) return r;
  throw std::runtime_error("no " + name + " row");
}

double num(const AggregateRow& r, const std::string& column) {
  auto it = r.values.find(column);
  return it == r.values.end() ? NAN : value_number(it->second);
}

TEST(Aggregate, SummaryOfValuesIgnoresMissingOnes) {
  const Summary s = summarize_values({2, NAN, 4, 9});
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.min, 2);
  EXPECT_DOUBLE_EQ(s.max, 9);
  // Sample stddev: sqrt(((2-5)^2 + (4-5)^2 + (9-5)^2) / 2) = sqrt(13).
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(13.0));
  EXPECT_EQ(summarize_values({NAN}).n, 0);
}

TEST(Aggregate, RowsPerStatisticOverMeasuredValuesOnly) {
  // Three repeats; the second has no latency (not measured), the fourth was
  // interrupted and takes no part.
  const std::vector<Row> rows = {repeat_row(0, 990, 10), repeat_row(1, 1000, std::nullopt),
                                 repeat_row(2, 1010, 20), repeat_row(3, 5, 1000, "interrupted")};
  const auto agg = aggregate_rows(rows, row_columns({"aggregate", "rx_rate"}));
  ASSERT_EQ(agg.size(), 5u);
  for (size_t i = 0; i < agg.size(); ++i) {
    EXPECT_EQ(agg[i].statistic, aggregate_statistics()[i]);
    EXPECT_EQ(agg[i].step, 3);
    EXPECT_EQ(agg[i].swept, rows[0].swept);
    EXPECT_EQ(std::get<std::string>(agg[i].values.at("aggregate")), agg[i].statistic);
  }
  EXPECT_DOUBLE_EQ(num(stat(agg, "mean"), "average_tx_rate"), 1000);
  EXPECT_DOUBLE_EQ(num(stat(agg, "stddev"), "average_tx_rate"), 10);
  EXPECT_DOUBLE_EQ(num(stat(agg, "min"), "average_tx_rate"), 990);
  EXPECT_DOUBLE_EQ(num(stat(agg, "max"), "average_tx_rate"), 1010);
  EXPECT_DOUBLE_EQ(num(stat(agg, "n"), "average_tx_rate"), 3);
  // Latency: two values, the missing one is not a 0.
  EXPECT_DOUBLE_EQ(num(stat(agg, "mean"), "lat_p99_ms"), 15);
  EXPECT_DOUBLE_EQ(num(stat(agg, "min"), "lat_p99_ms"), 10);
  EXPECT_DOUBLE_EQ(num(stat(agg, "n"), "lat_p99_ms"), 2);
  // Never measured in any repeat: empty statistics, n = 0.
  EXPECT_EQ(stat(agg, "mean").values.count("lat_p50_ms"), 0u);
  EXPECT_DOUBLE_EQ(num(stat(agg, "n"), "lat_p50_ms"), 0);
  EXPECT_EQ(stat(agg, "mean").values.count("rx_rate"), 0u);
  // Text columns are not aggregated.
  EXPECT_EQ(stat(agg, "mean").values.count("status"), 0u);
}

TEST(Aggregate, StddevOfOneValueIsEmpty) {
  const auto agg =
      aggregate_rows({repeat_row(0, 990, 10), repeat_row(1, 5, 5, "skipped")}, row_columns({}));
  ASSERT_EQ(agg.size(), 5u);
  EXPECT_DOUBLE_EQ(num(stat(agg, "mean"), "average_tx_rate"), 990);
  EXPECT_EQ(stat(agg, "stddev").values.count("average_tx_rate"), 0u);
  EXPECT_DOUBLE_EQ(num(stat(agg, "n"), "average_tx_rate"), 1);
  EXPECT_TRUE(aggregate_rows({repeat_row(0, 1, 1, "skipped")}, row_columns({})).empty());
}

TEST(Aggregate, CsvRowsHaveAnEmptyRepeatAndNameTheirStatistic) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("hydra-agg-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::vector<Row> rows = {repeat_row(0, 990, 10), repeat_row(1, 1011, 12)};
  {
    CsvReporter csv(dir / "results.csv");
    RunInfo info;
    info.sweep_keys = {"publisher.acks"};
    info.extra_columns = {"aggregate"};
    csv.on_run_start(info);
    for (const auto& r : rows) csv.on_step_done(r, StepResult{});
    for (const auto& a : aggregate_rows(rows, row_columns(info.extra_columns))) csv.on_aggregate(a);
  }
  std::ifstream in(dir / "results.csv");
  const auto recs = read_csv(in);
  fs::remove_all(dir);
  ASSERT_EQ(recs.size(), 1u + 2 + 5);
  const auto& h = recs[0];
  auto col = [&](const std::string& name) {
    return size_t(std::find(h.begin(), h.end(), name) - h.begin());
  };
  ASSERT_LT(col("aggregate"), h.size());
  EXPECT_EQ(recs[1][col("aggregate")], "");  // a measured row
  EXPECT_EQ(recs[1][col("repeat")], "0");
  const auto& mean = recs[3];
  EXPECT_EQ(mean[col("aggregate")], "mean");
  EXPECT_EQ(mean[col("repeat")], "");
  EXPECT_EQ(mean[col("step")], "3");
  EXPECT_EQ(mean[col("publisher.acks")], "all");
  EXPECT_EQ(mean[col("average_tx_rate")], "1000.5");
  EXPECT_EQ(mean[col("status")], "");
  EXPECT_EQ(recs[4][col("aggregate")], "stddev");
  EXPECT_EQ(recs[7][col("aggregate")], "n");
  EXPECT_EQ(recs[7][col("average_tx_rate")], "2");
  EXPECT_EQ(recs[7][col("packet_tx")], "0");  // never measured: n 0, the statistics empty
  EXPECT_EQ(mean[col("packet_tx")], "");
}

}  // namespace
}  // namespace hydra
