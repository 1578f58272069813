// The column registry (harness/columns.h): every column declared once and
// complete, printed as results.csv always printed it, empty (never 0) when
// not measured, and the README's column table generated from it.
#include "harness/columns.h"
#include "contract_columns.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/processing_stats.h"
#include "harness/row.h"
#include "harness/scenario.h"
#include "harness/step_runner.h"

#ifndef HYDRA_SOURCE_DIR
#error "HYDRA_SOURCE_DIR must name the source tree"
#endif

namespace hydra {
namespace {

std::string cell(const Row& row, const std::string& name) {
  const Column* c = find_column(name);
  if (!c) ADD_FAILURE() << "no column " << name;
  return c ? row.cell(*c) : "";
}

TEST(Columns, TheContractGroupIsTheContractsColumnsInOrder) {
  EXPECT_EQ(column_names(ColumnGroup::kContract), test::contract_columns());
  EXPECT_EQ(Row::column_names(), test::contract_columns());
}

TEST(Columns, EachColumnIsDeclaredOnceAndCompletely) {
  std::set<std::string> names;
  int last_group = 0;
  for (const auto& c : columns()) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(names.insert(c.name).second) << "declared twice";
    // Exactly one way to compute it; contract columns read compute_row's figures.
    EXPECT_NE(c.of_row == nullptr, c.of_step == nullptr);
    EXPECT_EQ(c.of_row != nullptr, c.group == ColumnGroup::kContract);
    EXPECT_FALSE(std::string(c.doc).empty());
    EXPECT_EQ(std::string(c.doc).find('|'), std::string::npos);  // a markdown cell
    // Text has no unit; every number has one.
    EXPECT_EQ(std::string(c.unit).empty(), c.format == ColumnFormat::kText);
    // Groups in results.csv order: contract, run, processing.
    EXPECT_GE(int(c.group), last_group);
    last_group = int(c.group);
    EXPECT_EQ(find_column(c.name), &c);
  }
  EXPECT_EQ(find_column("no_such_column"), nullptr);
  EXPECT_EQ(run_extra_columns(false), column_names(ColumnGroup::kRun));
  EXPECT_EQ(run_extra_columns(true).size(),
            column_names(ColumnGroup::kRun).size() + column_names(ColumnGroup::kProcessing).size());
}

StepResult measured_step() {
  StepResult r;
  r.client_count = 2;
  r.measured_s = 2.0;
  r.controller_usage.cpu_ns = 1'500'000'000;
  r.controller_usage.span_ns = 2'000'000'000;
  ProcessUsage a, b;
  a.cpu_ns = 1'000'000'000;
  a.span_ns = 2'000'000'000;  // 50 %
  b.cpu_ns = 2'000'000'000;
  b.span_ns = 2'000'000'000;  // 100 %
  r.subscriber_usage = {a, b};
  ClientStats c0, c1;
  c0.client_id = 0;
  c0.behind = 3;
  c0.unique = 100;
  c1.client_id = 1;
  c1.behind = 4;
  c1.unique = 300;
  r.clients = {c0, c1};
  // The window: 400 messages, of which the publisher saw 390 acknowledged
  // and 4 fail.
  r.window.from[0] = 0;
  r.window.until[0] = 400;
  r.publisher_ok = true;
  r.publisher.sent = 400;
  r.publisher.acked = 390;
  r.publisher.failed = 4;
  return r;
}

TEST(Columns, RunColumnsPrintAsResultsCsvAlwaysDid) {
  const StepResult r = measured_step();
  StepTimings t;
  t.spawn_s = 0.1;
  t.configure_s = 0.2;
  t.barrier_s = 0.3;
  t.drain_s = 0.4;
  t.collect_s = 0.5;
  StepContext ctx;
  ctx.timings = &t;
  const Row row = compute_row(r, ctx);
  EXPECT_EQ(cell(row, "behind"), "7");
  EXPECT_EQ(cell(row, "rx_rate"), "100.0");  // (100 + 300) / 2 clients / 2 s
  EXPECT_EQ(cell(row, "pub_unacked"), "6");
  EXPECT_EQ(cell(row, "pub_failed"), "4");
  EXPECT_EQ(cell(row, "ctl_cpu"), "75.000");
  EXPECT_EQ(cell(row, "sub_cpu_total"), "150.000");
  EXPECT_EQ(cell(row, "ctl_overhead_s"), "1.500");
  EXPECT_EQ(cell(row, "spawn_s"), "0.100");
  EXPECT_EQ(cell(row, "configure_s"), "0.200");
  EXPECT_EQ(cell(row, "barrier_s"), "0.300");
  EXPECT_EQ(cell(row, "drain_s"), "0.400");
  EXPECT_EQ(cell(row, "collect_s"), "0.500");
  // The step JSON has them as numbers.
  const auto j = row.to_json();
  EXPECT_DOUBLE_EQ(j.at("extra").at("ctl_cpu").get<double>(), 75.0);
  EXPECT_EQ(j.at("extra").at("behind"), 7);
}

// Agent RSS / its clients, the largest over agents: 25 clients at 10 per
// agent are 10, 10 and 5, so the last agent's 40 MiB is 8 MiB a client.
TEST(Columns, RssPerClientIsTheLargestAgentShare) {
  StepResult r = measured_step();
  r.client_count = 25;
  r.subscriber_usage.resize(3);
  r.subscriber_usage[0].max_rss_bytes = 60ull << 20;  // 6 MiB a client
  r.subscriber_usage[1].max_rss_bytes = 50ull << 20;  // 5
  r.subscriber_usage[2].max_rss_bytes = 40ull << 20;  // 8: only 5 clients
  Scenario sc;
  sc.subscribers.clients = 25;
  sc.subscribers.clients_per_agent = 10;
  StepContext ctx;
  ctx.scenario = &sc;
  EXPECT_EQ(cell(compute_row(r, ctx), "sub_rss_per_client_mb"), "8.00");
  // Without RSS figures (or the scenario), it was not measured: empty.
  for (auto& u : r.subscriber_usage) u.max_rss_bytes = 0;
  EXPECT_EQ(cell(compute_row(r, ctx), "sub_rss_per_client_mb"), "");
  EXPECT_EQ(cell(compute_row(measured_step()), "sub_rss_per_client_mb"), "");
}

TEST(Columns, WhatWasNotMeasuredIsEmptyNotZero) {
  const Row row = compute_row(measured_step());  // no timings: the step never ran
  for (const char* name :
       {"ctl_overhead_s", "spawn_s", "configure_s", "barrier_s", "drain_s", "collect_s"}) {
    EXPECT_EQ(cell(row, name), "") << name;
    EXPECT_TRUE(row.to_json().at("extra").at(name).is_null()) << name;
  }
  // No window (the publisher never reported one), no client, no CPU span:
  // the run columns that need them are empty too.
  StepResult none;
  none.client_count = 2;
  none.status = "failed";
  const Row empty = compute_row(none);
  for (const char* name :
       {"rx_rate", "behind", "pub_unacked", "pub_failed", "ctl_cpu", "sub_cpu_total"}) {
    EXPECT_EQ(cell(empty, name), "") << name;
    EXPECT_TRUE(empty.to_json().at("extra").at(name).is_null()) << name;
  }
  // Processing columns are not computed outside a processing run.
  EXPECT_EQ(cell(row, "proc_records"), "");
  EXPECT_FALSE(row.to_json().at("extra").contains("proc_records"));
  // In a processing run without the step's scenario, they are empty too.
  StepContext ctx;
  ctx.processing = true;
  EXPECT_EQ(cell(compute_row(measured_step(), ctx), "proc_series"), "");
}

TEST(Columns, ProcessingColumnsPrintAsResultsCsvAlwaysDid) {
  StepResult r = measured_step();
  r.processing_device = "gpu: Test GPU";
  r.note = "a note, with a comma";
  Histogram added, e2e;
  ProcessingStats p0, p1;
  p0.records = 1000;
  p0.cpu_ns = 1'000'000;
  p0.anomalies = 2;
  p0.added_latency.record_n(1'000'000, 3000);  // p50 here
  p0.e2e_latency.record_n(5'000'000, 1000);
  p0.batch_fill.record_n(100, 10);
  p1.records = 3000;
  p1.cpu_ns = 3'000'000;
  p1.anomalies = 3;
  p1.added_latency.record_n(4'000'000, 1000);  // p99 here
  p1.e2e_latency.record_n(9'000'000, 3000);
  p1.batch_fill.record_n(300, 10);
  r.clients[0].processing = p0.to_json();
  r.clients[1].processing = p1.to_json();
  added += p0.added_latency;
  added += p1.added_latency;
  e2e += p0.e2e_latency;
  e2e += p1.e2e_latency;
  Scenario sc;
  auto& proc = sc.subscribers.processing;
  proc.kind = "mlp";
  proc.device = "gpu";
  proc.threads = 4;
  proc.batch = 256;
  proc.linger_ms = 2.5;
  StepContext ctx;
  ctx.scenario = &sc;
  ctx.processing = true;
  const Row row = compute_row(r, ctx);
  auto ms = [](int64_t ns) { return format_cell(double(ns) / 1e6, ColumnFormat::kFixed3); };
  EXPECT_EQ(cell(row, "proc_series"), "mlp/gpux4");
  EXPECT_EQ(cell(row, "proc_kind"), "mlp");
  EXPECT_EQ(cell(row, "proc_device"), "gpu: Test GPU");
  EXPECT_EQ(cell(row, "proc_batch"), "256");
  EXPECT_EQ(cell(row, "proc_linger_ms"), "2.5");
  EXPECT_EQ(cell(row, "proc_threads"), "4");
  EXPECT_EQ(cell(row, "proc_records"), "4000");
  EXPECT_EQ(cell(row, "proc_rate"), "2000.0");
  EXPECT_EQ(cell(row, "proc_added_p50_ms"), ms(added.percentile(50)));
  EXPECT_EQ(cell(row, "proc_added_p99_ms"), ms(added.percentile(99)));
  EXPECT_EQ(cell(row, "proc_added_p999_ms"), ms(added.percentile(99.9)));
  EXPECT_EQ(cell(row, "proc_e2e_p50_ms"), ms(e2e.percentile(50)));
  EXPECT_EQ(cell(row, "proc_e2e_p99_ms"), ms(e2e.percentile(99)));
  EXPECT_EQ(cell(row, "proc_e2e_p999_ms"), ms(e2e.percentile(99.9)));
  EXPECT_NE(cell(row, "proc_added_p50_ms"), cell(row, "proc_added_p99_ms"));
  EXPECT_EQ(cell(row, "proc_cpu_ns_per_record"), "1000.0");
  EXPECT_EQ(cell(row, "proc_batch_fill_mean"), "200.0");
  EXPECT_EQ(cell(row, "proc_anomalies"), "5");
  EXPECT_EQ(cell(row, "proc_note"), "a note, with a comma");

  // Without a stage, "processed" means received (the baseline).
  proc.kind = "none";
  r.clients[0].processing = nullptr;
  r.clients[1].processing = nullptr;
  const Row none = compute_row(r, ctx);
  EXPECT_EQ(cell(none, "proc_series"), "none");
  EXPECT_EQ(cell(none, "proc_device"), "none");
  EXPECT_EQ(cell(none, "proc_records"), "400");
  EXPECT_EQ(cell(none, "proc_rate"), "200.0");
}

TEST(Columns, ValuesAreTyped) {
  EXPECT_EQ(format_value(Value{}, ColumnFormat::kFixed3), "");
  EXPECT_EQ(format_value(Value{int64_t(-3)}, ColumnFormat::kInteger), "-3");
  EXPECT_EQ(format_value(Value{uint64_t(18446744073709551615u)}, ColumnFormat::kInteger),
            "18446744073709551615");
  EXPECT_EQ(format_value(Value{0.25}, ColumnFormat::kShortest), "0.25");
  EXPECT_EQ(format_value(Value{std::string("x")}, ColumnFormat::kText), "x");
  EXPECT_TRUE(value_json(Value{}).is_null());
  EXPECT_TRUE(value_json(Value{std::nan("")}).is_null());
  EXPECT_EQ(value_json(Value{uint64_t(5)}), 5);
  EXPECT_TRUE(std::isnan(value_number(Value{std::string("7")})));
  EXPECT_DOUBLE_EQ(value_number(Value{int64_t(7)}), 7.0);
}

TEST(Columns, RowSetAndValueNameTheBadColumn) {
  Row row;
  row.set("ctl_cpu", 1.5);
  row.set("behind", uint64_t(2));
  row.set("ctl_cpu", 2.5);  // replaced, not added
  ASSERT_EQ(row.step_values.size(), 2u);
  EXPECT_STREQ(row.step_values[0].first->name, "behind");  // registry order
  EXPECT_EQ(cell(row, "ctl_cpu"), "2.500");
  try {
    row.set("gpu_util", 1.0);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("gpu_util"), std::string::npos) << e.what();
  }
  EXPECT_THROW(row.set("msg_rate", 1.0), std::invalid_argument);  // a contract figure
  EXPECT_THROW(row.value("nope"), std::invalid_argument);
  row.msg_rate = 12.25;
  EXPECT_DOUBLE_EQ(value_number(row.value("msg_rate")), 12.25);
}

// The README's "results.csv columns" table is the registry's, between marker
// comments. On a mismatch the expected text is printed to paste in.
TEST(Columns, ReadmeTableIsTheRegistrys) {
  std::ifstream in(std::string(HYDRA_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const std::string begin = "<!-- columns:begin (generated from harness/columns.cc) -->\n";
  const std::string end = "<!-- columns:end -->";
  const auto b = readme.find(begin);
  const auto e = readme.find(end);
  ASSERT_NE(b, std::string::npos) << "README.md lacks " << begin;
  ASSERT_NE(e, std::string::npos) << "README.md lacks " << end;
  ASSERT_LT(b, e);
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), columns_markdown())
      << "README.md's column table is out of date; between the markers put:\n"
      << columns_markdown();
}

}  // namespace
}  // namespace hydra
