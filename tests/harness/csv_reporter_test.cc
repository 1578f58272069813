// CsvReporter: the results.csv contract (docs/contracts.md): header fixed before the
// first row, sweep columns first, the contract's columns in order and
// spelling, RFC 4180 escaping, one flushed row per step.
#include "harness/csv_reporter.h"
#include "contract_columns.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hydra {
namespace {

namespace fs = std::filesystem;

class CsvReporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hydra-csv-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = dir_ / "results.csv";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string slurp() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::vector<std::string>> records() const {
    std::ifstream in(path_, std::ios::binary);
    return read_csv(in);
  }

  static RunInfo info() {
    RunInfo i;
    i.scenario = "test";
    i.sweep_keys = {"subscribers.clients", "publisher.rate"};
    i.total_steps = 4;
    i.out_dir = "unused";
    return i;
  }
  static Row row(int step, int clients, double rate) {
    Row r;
    r.step = step;
    r.swept = {{"subscribers.clients", std::to_string(clients)},
               {"publisher.rate", std::to_string(int(rate))}};
    r.client_count = clients;
    r.msg_rate = rate;
    r.packet_tx = 10 * uint64_t(rate);
    r.average_packet_loss = 1.0 / 3;
    r.status = "ok";
    return r;
  }

  fs::path dir_;
  fs::path path_;
  StepResult unused_;
};

const std::vector<std::string>& kContractColumns = test::contract_columns();

TEST_F(CsvReporterTest, HeaderIsSweepKeysThenStepRepeatThenContractThenExtra) {
  RunInfo i = info();
  i.extra_columns = {"proc_added_p99_ms", "ctl_cpu"};
  {
    CsvReporter csv(path_);
    csv.on_run_start(i);
  }
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);  // the header is there before any row
  std::vector<std::string> expected = {"subscribers.clients", "publisher.rate", "step", "repeat"};
  expected.insert(expected.end(), kContractColumns.begin(), kContractColumns.end());
  expected.push_back("proc_added_p99_ms");
  expected.push_back("ctl_cpu");
  EXPECT_EQ(recs[0], expected);
}

TEST_F(CsvReporterTest, OneFlushedRowPerStep) {
  CsvReporter csv(path_);
  csv.on_run_start(info());
  csv.on_step_done(row(0, 10, 1000), unused_);
  // Read while the reporter is still open: the row must already be on disk.
  auto recs = records();
  ASSERT_EQ(recs.size(), 2u);
  csv.on_step_done(row(1, 10, 2000), unused_);
  recs = records();
  ASSERT_EQ(recs.size(), 3u);
  const auto& header = recs[0];
  auto at = [&](const std::vector<std::string>& rec, const std::string& name) {
    return rec.at(std::find(header.begin(), header.end(), name) - header.begin());
  };
  EXPECT_EQ(recs[1].size(), header.size());
  EXPECT_EQ(at(recs[1], "subscribers.clients"), "10");
  EXPECT_EQ(at(recs[1], "publisher.rate"), "1000");
  EXPECT_EQ(at(recs[1], "step"), "0");
  EXPECT_EQ(at(recs[2], "step"), "1");
  EXPECT_EQ(at(recs[2], "msg_rate"), "2000.0");
  EXPECT_EQ(at(recs[2], "packet_tx"), "20000");
  EXPECT_EQ(at(recs[2], "average_packet_loss"), "0.3333");
  EXPECT_EQ(at(recs[2], "status"), "ok");
}

TEST_F(CsvReporterTest, ErrorWithCommaQuoteAndNewlineIsEscaped) {
  CsvReporter csv(path_);
  csv.on_run_start(info());
  Row r = row(0, 10, 1000);
  r.status = "failed";
  r.error = "agent \"sub-1\" timed out, twice\nthen gave up";
  csv.on_step_done(r, unused_);
  csv.on_step_done(row(1, 10, 2000), unused_);
  EXPECT_NE(slurp().find("\"agent \"\"sub-1\"\" timed out, twice\nthen gave up\""),
            std::string::npos);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 3u);  // the line break did not split the record
  EXPECT_EQ(recs[1].size(), recs[0].size());
  EXPECT_EQ(recs[1][recs[0].size() - 1], r.error);
  EXPECT_EQ(recs[1][recs[0].size() - 2], "failed");
  EXPECT_EQ(recs[2][2], "1");
}

TEST_F(CsvReporterTest, HeaderStaysFixedAndCellsGoByName) {
  RunInfo i = info();
  i.extra_columns = {"ctl_cpu"};
  CsvReporter csv(path_);
  csv.on_run_start(i);
  Row r = row(0, 10, 1000);
  std::swap(r.swept[0], r.swept[1]);  // out of order: still lands by name
  r.set("drain_s", 1.5);              // a column the header lacks: not written
  r.set("ctl_cpu", 42.5);
  csv.on_step_done(r, unused_);
  Row bare = row(1, 50, 1000);
  csv.on_step_done(bare, unused_);  // no extra: the cell stays empty
  const auto recs = records();
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1][0], "10");
  EXPECT_EQ(recs[1][1], "1000");
  EXPECT_EQ(recs[1].back(), "42.500");  // the registry's format: 3 decimals
  EXPECT_EQ(recs[2].back(), "");        // not measured: empty, not 0
  EXPECT_EQ(recs[0].back(), "ctl_cpu");
  for (const auto& rec : recs) EXPECT_EQ(rec.size(), recs[0].size());
}

TEST_F(CsvReporterTest, AnExtraColumnOutsideTheRegistryIsRefusedByName) {
  RunInfo i = info();
  i.extra_columns = {"ctl_cpu", "gpu_util"};
  CsvReporter csv(path_);
  try {
    csv.on_run_start(i);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("gpu_util"), std::string::npos) << e.what();
  }
  i.extra_columns = {"msg_rate"};  // a contract column: already in the header
  EXPECT_THROW(csv.on_run_start(i), std::invalid_argument);
}

TEST_F(CsvReporterTest, WithoutRunStartTheFirstRowFixesTheHeader) {
  CsvReporter csv(path_);
  csv.on_step_done(row(0, 10, 1000), unused_);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0][0], "subscribers.clients");
  EXPECT_EQ(recs[0][2], "step");
}

TEST_F(CsvReporterTest, UnwritablePathThrowsNamingIt) {
  std::ofstream(dir_ / "file") << "x";
  try {
    CsvReporter csv(dir_ / "file" / "results.csv");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("results.csv"), std::string::npos);
  }
}

TEST(Csv, Escape) {
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_escape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_escape("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_escape(""), "");
  EXPECT_EQ(csv_line({"a", "b,c", ""}), "a,\"b,c\",\n");
}

TEST(Csv, ReadRoundTrips) {
  const std::vector<std::vector<std::string>> recs = {
      {"a", "b", "c"}, {"1", "x, \"y\"\nz", ""}, {"", "", "3"}};
  std::string text;
  for (const auto& r : recs) text += csv_line(r);
  std::istringstream in(text);
  EXPECT_EQ(read_csv(in), recs);
  std::istringstream crlf("a,b\r\n1,2\r\n");
  EXPECT_EQ(read_csv(crlf), (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}}));
}

}  // namespace
}  // namespace hydra
