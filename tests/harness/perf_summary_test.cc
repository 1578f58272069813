// The perf-test summary (harness/perf_summary.h) and the registry columns
// that print it: msg/s, MB/s and the latency distribution of the produce and
// end-to-end sides, derived once, empty when not measured.
#include "harness/perf_summary.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/columns.h"
#include "harness/row.h"
#include "harness/scenario_args.h"

namespace hydra {
namespace {

std::string cell(const Row& row, const std::string& name) {
  const Column* c = find_column(name);
  if (!c) ADD_FAILURE() << "no column " << name;
  return c ? row.cell(*c) : "";
}

// 2 s window, 1000 messages on one partition, 1 MiB sent; ack latency 1..1000
// us; two clients with 1000 and 500 messages, latency 2 ms and 4 ms.
StepResult measured() {
  StepResult r;
  r.client_count = 2;
  r.measured_s = 2.0;
  r.publisher_ok = true;
  r.window.from[0] = 0;
  r.window.until[0] = 1000;
  r.publisher.bytes = 1024 * 1024;
  for (int us = 1; us <= 1000; ++us) r.publisher.ack_latency.record(int64_t(us) * 1000);
  ClientStats a, b;
  a.client_id = 0;
  a.unique = 1000;
  a.bytes = 2 * 1024 * 1024;
  a.latency.record_n(2'000'000, 1000);
  b.client_id = 1;
  b.unique = 500;
  b.bytes = 1024 * 1024;
  b.latency.record_n(4'000'000, 500);
  r.clients = {a, b};
  r.started_ns = 1'796'225'366'123'456'789;  // 2026-12-02T15:29:26.123Z
  r.ended_ns = r.started_ns + 3'500'000'000;
  return r;
}

TEST(ColumnsSummary, PerfSummaryOfBothSides) {
  const PerfSummary s = perf_summary(measured());
  ASSERT_TRUE(s.produce.measured);
  EXPECT_EQ(s.produce.records, 1000u);
  EXPECT_DOUBLE_EQ(*s.produce.msg_s, 500.0);
  EXPECT_DOUBLE_EQ(*s.produce.mb_s, 0.5);
  EXPECT_NEAR(*s.produce.mean_ms(), 0.5005, 0.005);  // mean of 1..1000 us
  EXPECT_NEAR(*s.produce.percentile_ms(95), 0.95, 0.01);
  EXPECT_DOUBLE_EQ(*s.produce.percentile_ms(100), 1.0);
  ASSERT_TRUE(s.e2e.measured);
  EXPECT_EQ(s.e2e.records, 1500u);
  EXPECT_DOUBLE_EQ(*s.e2e.msg_s, 750.0);
  EXPECT_DOUBLE_EQ(*s.e2e.mb_s, 1.5);
  EXPECT_NEAR(*s.e2e.mean_ms(), (1000 * 2.0 + 500 * 4.0) / 1500, 0.03);
  EXPECT_NEAR(*s.e2e.percentile_ms(50), 2.0, 0.02);
  EXPECT_NEAR(*s.e2e.percentile_ms(99.9), 4.0, 0.04);
}

TEST(ColumnsSummary, ColumnsPrintTheSummary) {
  const Row row = compute_row(measured());
  EXPECT_EQ(cell(row, "tx_mb_s"), "0.500");
  EXPECT_EQ(cell(row, "rx_mb_s"), "1.500");
  EXPECT_NEAR(std::stod(cell(row, "lat_mean_ms")), 2.667, 0.03);
  EXPECT_NEAR(std::stod(cell(row, "lat_p95_ms")), 4.0, 0.04);
  EXPECT_NEAR(std::stod(cell(row, "ack_mean_ms")), 0.5005, 0.005);
  EXPECT_EQ(cell(row, "step_start"), "2026-12-02T15:29:26.123Z");
  EXPECT_EQ(cell(row, "step_end"), "2026-12-02T15:29:29.623Z");
  // In registry order, right after the step runner's timings.
  const auto run = column_names(ColumnGroup::kRun);
  const auto at = std::find(run.begin(), run.end(), "collect_s");
  ASSERT_NE(at, run.end());
  const std::vector<std::string> block(at + 1, at + 8);
  EXPECT_EQ(block, (std::vector<std::string>{"tx_mb_s", "rx_mb_s", "lat_mean_ms", "lat_p95_ms",
                                             "ack_mean_ms", "step_start", "step_end"}));
}

TEST(ColumnsSummary, WhatWasNotMeasuredIsEmpty) {
  StepResult r = measured();
  r.publisher_ok = false;  // the publisher did not answer
  r.clients.clear();       // nor did any client
  r.measured_s = 0;
  r.started_ns = r.ended_ns = 0;  // the step never ran
  const Row row = compute_row(r);
  for (const char* name : {"tx_mb_s", "rx_mb_s", "lat_mean_ms", "lat_p95_ms", "ack_mean_ms",
                           "step_start", "step_end"}) {
    EXPECT_EQ(cell(row, name), "") << name;
    EXPECT_TRUE(row.to_json().at("extra").at(name).is_null()) << name;
  }
  // Clients that answered with no latency samples: no mean, but a rate.
  StepResult quiet = measured();
  for (auto& c : quiet.clients) c.latency.reset();
  const Row q = compute_row(quiet);
  EXPECT_EQ(cell(q, "lat_mean_ms"), "");
  EXPECT_EQ(cell(q, "rx_mb_s"), "1.500");
}

TEST(ColumnsSummary, PerfLineReadsLikeKafkaProducerPerfTest) {
  const PerfSummary s = perf_summary(measured());
  const std::string line = perf_line(s.produce, "sent");
  EXPECT_EQ(line.rfind("1000 records sent, 500.0 records/sec (0.50 MB/sec), ", 0), 0u) << line;
  EXPECT_NE(line.find(" ms avg latency, 1.000 ms max latency, "), std::string::npos) << line;
  EXPECT_NE(line.find(" ms 50th, "), std::string::npos);
  EXPECT_NE(line.find(" ms 99.9th."), std::string::npos);
  EXPECT_EQ(perf_line(PerfSide{}, "sent"), "not measured");
  PerfSide no_window = s.e2e;
  no_window.msg_s.reset();
  no_window.mb_s.reset();
  no_window.latency.reset();
  EXPECT_EQ(perf_line(no_window, "received"),
            "1500 records received, - records/sec (- MB/sec), - ms avg latency, - ms max latency, "
            "- ms 50th, - ms 95th, - ms 99th, - ms 99.9th.");
}

TEST(ColumnsSummary, PercentileBlockLikeWrk2) {
  Histogram h;
  for (int ms = 1; ms <= 100; ++ms) h.record(int64_t(ms) * 1'000'000);
  const std::string block = percentile_block(h, "  ");
  EXPECT_NE(block.find("  50.000%"), std::string::npos) << block;
  EXPECT_NE(block.find("  99.999%"), std::string::npos) << block;
  EXPECT_NE(block.find(" 100.000%     100.000ms"), std::string::npos) << block;
  EXPECT_NE(block.find("100 samples"), std::string::npos) << block;
  EXPECT_EQ(percentile_block(Histogram{}, "  "), "  (no samples)\n");
}

TEST(ColumnsSummary, Iso8601) {
  EXPECT_EQ(iso8601_utc(0), "");
  EXPECT_EQ(iso8601_utc(1'000'000'000LL * 86400 + 5'000'000), "1970-01-02T00:00:00.005Z");
}

// `hydra run --latency` asks for the percentile block; validate has no such option.
TEST(CliLatency, RunTakesLatencyValidateDoesNot) {
  int code = -1;
  auto run = parse_scenario_args({"s.json", "--latency"}, "run", /*run_options=*/true, &code);
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->latency);
  run = parse_scenario_args({"s.json"}, "run", true, &code);
  ASSERT_TRUE(run);
  EXPECT_FALSE(run->latency);
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(parse_scenario_args({"s.json", "--latency"}, "validate", false, &code));
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("latency"), std::string::npos) << err;
}

}  // namespace
}  // namespace hydra
