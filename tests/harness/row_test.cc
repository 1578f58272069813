// compute_row(): the HYDRA formulas (docs/hydra-notes.md) on fixed
// StepResults, with Hydra's fixes (loss by sequence, merged percentiles), and
// the step JSON the JsonReporter writes.
#include "harness/row.h"
#include "contract_columns.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "harness/json_reporter.h"

namespace hydra {
namespace {

constexpr int64_t kS = 1'000'000'000;  // ns
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kS;

// A window of `n` messages on partition 0 (sequences 100 .. 100+n).
ProducerWindow window_of(uint64_t n) {
  ProducerWindow w;
  w.producer_id = 1;
  w.from[0] = 100;
  w.until[0] = 100 + n;
  return w;
}

// A client that counted `unique` window messages, the first at kT0 and the
// last span_s later.
ClientStats client(int id, uint64_t unique, double span_s) {
  ClientStats c;
  c.client_id = id;
  c.unique = unique;
  c.received = unique;
  c.first_recv_ns = kT0;
  c.last_recv_ns = kT0 + int64_t(span_s * double(kS));
  c.ready = true;
  return c;
}

// N clients that each got all `window` messages over 1 s.
StepResult lossless_step(int n, uint64_t window) {
  StepResult r;
  r.step = 3;
  r.repeat = 1;
  r.swept = {{"subscribers.clients", n}, {"publisher.acks", "all"}};
  r.client_count = n;
  r.msg_rate = 1000;
  r.duration_s = 2;
  r.measured_s = 2.0;
  r.publisher_ok = true;
  r.window = window_of(window);
  r.publisher.sent = window;
  for (int i = 0; i < n; ++i) r.clients.push_back(client(i, window, 1.0));
  return r;
}

TEST(ComputeRow, LosslessStep) {
  const Row row = compute_row(lossless_step(3, 1000));
  EXPECT_EQ(row.step, 3);
  EXPECT_EQ(row.repeat, 1);
  EXPECT_EQ(row.client_count, 3);
  EXPECT_DOUBLE_EQ(row.msg_rate, 1000);
  EXPECT_EQ(row.packet_tx.value(), 1000u);
  EXPECT_DOUBLE_EQ(row.average_tx_rate.value(), 500.0);  // 1000 messages over 2 s measured
  EXPECT_DOUBLE_EQ(row.average_packets.value(), 1000.0);
  EXPECT_DOUBLE_EQ(row.average_rate.value(), 1000.0);  // 1000 messages over a 1 s span
  EXPECT_DOUBLE_EQ(row.average_packet_loss.value(), 0.0);
  EXPECT_EQ(row.failing_clients.value(), 0);
  EXPECT_DOUBLE_EQ(row.failing_clients_rate.value(), 0.0);
  EXPECT_EQ(row.lost.value(), 0u);
  EXPECT_EQ(row.status, "ok");
  EXPECT_EQ(row.error, "");
  ASSERT_EQ(row.swept.size(), 2u);
  EXPECT_EQ(row.swept[0], (std::pair<std::string, std::string>{"subscribers.clients", "3"}));
  EXPECT_EQ(row.swept[1], (std::pair<std::string, std::string>{"publisher.acks", "all"}));
}

TEST(ComputeRow, OneClientMissingMessagesFails) {
  StepResult r = lossless_step(3, 1000);
  // Client 2 got 900 of 1000, over 1.8 s: rate 500 msg/s.
  r.clients[2] = client(2, 900, 1.8);
  r.clients[2].lost = 100;
  const Row row = compute_row(r);
  EXPECT_EQ(row.failing_clients.value(), 1);
  EXPECT_DOUBLE_EQ(row.failing_clients_rate.value(), 500.0);
  EXPECT_DOUBLE_EQ(row.average_rate.value(), (1000.0 + 1000.0 + 500.0) / 3);
  EXPECT_DOUBLE_EQ(row.average_packets.value(), (1000.0 + 1000.0 + 900.0) / 3);
  EXPECT_NEAR(row.average_packet_loss.value(), 10.0 / 3, 1e-12);  // (0 + 0 + 10 %) / 3
  EXPECT_EQ(row.lost.value(), 100u);
}

TEST(ComputeRow, DuplicatesDoNotMaskLoss) {
  StepResult r = lossless_step(2, 1000);
  // 1000 messages received, but 100 of them twice: only 900 distinct ones.
  // HYDRA's count-based figure would call this client lossless.
  r.clients[1].unique = 900;
  r.clients[1].received = 1000;
  r.clients[1].duplicates = 100;
  const Row row = compute_row(r);
  EXPECT_EQ(row.failing_clients.value(), 1);
  EXPECT_EQ(row.lost.value(), 100u);
  EXPECT_EQ(row.duplicates.value(), 100u);
  EXPECT_DOUBLE_EQ(row.average_packet_loss.value(), 5.0);  // (0 + 10 %) / 2
  EXPECT_DOUBLE_EQ(row.average_packets.value(), 950.0);
}

TEST(ComputeRow, CountersSumOverClients) {
  StepResult r = lossless_step(2, 1000);
  r.clients[0].reordered = 3;
  r.clients[1].reordered = 4;
  r.clients[0].foreign = 5;
  r.clients[1].duplicates = 7;
  const Row row = compute_row(r);
  EXPECT_EQ(row.reordered.value(), 7u);
  EXPECT_EQ(row.foreign.value(), 5u);
  EXPECT_EQ(row.duplicates.value(), 7u);
  EXPECT_EQ(row.failing_clients.value(), 0);  // reordering and duplicates lose nothing
}

TEST(ComputeRow, UnansweredClientCountsAsFailingWithFullLoss) {
  StepResult r = lossless_step(3, 1000);
  r.client_count = 4;
  r.unanswered_clients = {3};
  r.status = "failed";
  r.error = "agent sub-1 did not answer stats";
  const Row row = compute_row(r);
  EXPECT_EQ(row.client_count, 4);
  EXPECT_EQ(row.failing_clients.value(), 1);
  EXPECT_DOUBLE_EQ(row.failing_clients_rate.value(), 0.0);  // it received nothing
  EXPECT_DOUBLE_EQ(row.average_packets.value(), 3000.0 / 4);
  EXPECT_DOUBLE_EQ(row.average_rate.value(), 3000.0 / 4);
  EXPECT_DOUBLE_EQ(row.average_packet_loss.value(), 25.0);  // (0 + 0 + 0 + 100 %) / 4
  EXPECT_EQ(row.lost.value(), 1000u);
  EXPECT_EQ(row.status, "failed");
  EXPECT_EQ(row.error, "agent sub-1 did not answer stats");
}

TEST(ComputeRow, ClientsMissingFromTheStatsCountAsUnanswered) {
  StepResult r = lossless_step(3, 1000);
  r.client_count = 5;  // two clients neither answered nor were listed
  const Row row = compute_row(r);
  EXPECT_EQ(row.client_count, 5);
  EXPECT_EQ(row.failing_clients.value(), 2);
  EXPECT_DOUBLE_EQ(row.average_packet_loss.value(), 40.0);
  EXPECT_EQ(row.lost.value(), 2000u);
}

TEST(ComputeRow, LostIsExpectedMinusUniqueClampedAtZero) {
  StepResult r = lossless_step(1, 1000);
  r.clients[0].unique = 1005;  // counted beyond the window: nothing lost
  r.clients[0].lost = 0;
  const Row row = compute_row(r);
  EXPECT_EQ(row.lost.value(), 0u);
  EXPECT_EQ(row.failing_clients.value(), 0);
  EXPECT_DOUBLE_EQ(row.average_packet_loss.value(), 0.0);
}

// A step that never ran claims no figure: no window, no client, no latency,
// no CPU; the cells are empty (null in JSON), never 0.
TEST(ComputeRow, FailedStepWithNothingCollectedHasEmptyFigures) {
  StepResult r;
  r.step = 7;
  r.client_count = 5;
  r.msg_rate = 2000;
  r.status = "failed";
  r.error = "publisher did not start";
  const Row row = compute_row(r);
  EXPECT_EQ(row.step, 7);
  EXPECT_EQ(row.status, "failed");
  EXPECT_EQ(row.error, "publisher did not start");
  EXPECT_EQ(row.client_count, 5);
  EXPECT_DOUBLE_EQ(row.msg_rate, 2000);
  for (const auto& c : columns()) {
    const std::string name = c.name;
    if (name == "client_count" || name == "msg_rate" || name == "status" || name == "error")
      continue;
    EXPECT_EQ(row.cell(c), "") << name << " was not measured";
    if (c.group == ColumnGroup::kContract) EXPECT_TRUE(row.to_json().at(name).is_null()) << name;
  }
}

// The window was measured but every agent died: their clients count as
// failing, with the whole window lost; what needs a client stays empty.
TEST(ComputeRow, WindowWithoutAnsweringClientsCountsThemFailing) {
  StepResult r = lossless_step(2, 1000);
  r.clients.clear();
  r.subscriber_usage.clear();
  r.unanswered_clients = {0, 1};
  r.status = "failed";
  const Row row = compute_row(r);
  EXPECT_EQ(row.packet_tx.value(), 1000u);
  EXPECT_EQ(row.failing_clients.value(), 2);
  EXPECT_DOUBLE_EQ(row.average_packet_loss.value(), 100.0);
  EXPECT_EQ(row.lost.value(), 2000u);
  EXPECT_FALSE(row.duplicates.has_value());
  EXPECT_FALSE(row.lat_p50_ms.has_value());
  EXPECT_FALSE(row.sub_cpu.has_value());
  EXPECT_FALSE(row.sub_rss_mb.has_value());
  EXPECT_EQ(row.cell(*find_column("behind")), "");
}

// No latency sample, no CPU span: empty, not 0 ms or 0 %.
TEST(ComputeRow, EmptyHistogramsAndSpansGiveEmptyCells) {
  StepResult r = lossless_step(2, 1000);  // clients without latency samples
  r.measured_s = 0;                       // the publisher reported no span
  const Row row = compute_row(r);
  EXPECT_FALSE(row.lat_p50_ms.has_value());
  EXPECT_FALSE(row.lat_max_ms.has_value());
  EXPECT_FALSE(row.ack_p99_ms.has_value());
  EXPECT_FALSE(row.send_delay_p99_ms.has_value());
  EXPECT_FALSE(row.average_tx_rate.has_value());
  EXPECT_FALSE(row.pub_cpu.has_value());
  EXPECT_FALSE(row.pub_net_txrate.has_value());
  EXPECT_EQ(row.cell(*find_column("lat_p99_ms")), "");
  EXPECT_EQ(row.cell(*find_column("ctl_cpu")), "");
  EXPECT_EQ(row.cell(*find_column("rx_rate")), "");
  EXPECT_EQ(row.packet_tx.value(), 1000u);  // the window itself was measured
}

TEST(ComputeRow, SkippedStepClaimsNoFailures) {
  StepResult r;
  r.step = 2;
  r.client_count = 10;
  r.msg_rate = 3000;
  r.status = "skipped";
  r.error = "rate above the search limit";
  const Row row = compute_row(r);
  EXPECT_EQ(row.status, "skipped");
  EXPECT_EQ(row.error, "rate above the search limit");
  EXPECT_EQ(row.client_count, 10);
  EXPECT_FALSE(row.failing_clients.has_value());
  EXPECT_FALSE(row.average_packet_loss.has_value());
}

// rx_rate divides by the measured window, average_rate by each client's own
// first-to-last receive span: a client that received the whole window in a
// burst shorter than the window reads above the send rate in average_rate
// only.
TEST(ComputeRow, RxRateIsOverTheMeasuredWindow) {
  StepResult r = lossless_step(2, 1000);  // 1000 messages, 2 s window, 1 s spans
  const Row row = compute_row(r);
  EXPECT_DOUBLE_EQ(row.average_tx_rate.value(), 500.0);
  EXPECT_DOUBLE_EQ(row.average_rate.value(), 1000.0);
  EXPECT_EQ(std::get<double>(row.value("rx_rate")), 500.0);
  r.clients[1].unique = 500;
  EXPECT_EQ(std::get<double>(compute_row(r).value("rx_rate")), (500.0 + 250.0) / 2);
}

// Loss attributed on the publisher's side: never acknowledged, failed.
TEST(ComputeRow, PublisherUnackedAndFailed) {
  StepResult r = lossless_step(1, 1000);
  r.publisher.sent = 1000;
  r.publisher.acked = 900;
  r.publisher.failed = 30;
  const Row row = compute_row(r);
  EXPECT_EQ(std::get<uint64_t>(row.value("pub_unacked")), 70u);
  EXPECT_EQ(std::get<uint64_t>(row.value("pub_failed")), 30u);
  r.publisher_ok = false;
  EXPECT_EQ(compute_row(r).cell(*find_column("pub_unacked")), "");
}

TEST(ComputeRow, ZeroSpanClientHasRateZero) {
  StepResult r = lossless_step(1, 1);
  r.clients[0].last_recv_ns = r.clients[0].first_recv_ns;  // one message: no span
  EXPECT_DOUBLE_EQ(compute_row(r).average_rate.value(), 0.0);
}

TEST(ComputeRow, LatencyPercentilesComeFromTheMergedHistogram) {
  StepResult r = lossless_step(2, 1000);
  // Client 0: 990 samples at 1 ms; client 1: 10 samples at 100 ms. Merged, 99 %
  // of all samples are 1 ms; averaging the clients' own p99 would give 50.5 ms.
  r.clients[0].latency.record_n(1 * kMs, 990);
  r.clients[1].latency.record_n(100 * kMs, 10);
  const Row row = compute_row(r);
  EXPECT_NEAR(row.lat_p50_ms.value(), 1.0, 0.01);
  EXPECT_NEAR(row.lat_p90_ms.value(), 1.0, 0.01);
  EXPECT_NEAR(row.lat_p99_ms.value(), 1.0, 0.01);
  EXPECT_NEAR(row.lat_p999_ms.value(), 100.0, 1.0);
  EXPECT_DOUBLE_EQ(row.lat_max_ms.value(), 100.0);
  EXPECT_EQ(merged_latency(r).count(), 1000u);
}

TEST(ComputeRow, PublisherHistogramsAndResources) {
  StepResult r = lossless_step(2, 1000);
  r.publisher.ack_latency.record_n(2 * kMs, 50);
  r.publisher.ack_latency.record_n(20 * kMs, 50);
  r.publisher.send_delay.record_n(100'000, 99);  // 0.1 ms
  r.publisher.send_delay.record_n(50 * kMs, 1);
  r.publisher.net_tx_bytes = 2'000'000;
  r.publisher.net_rx_bytes = 40'000;
  r.publisher_usage.cpu_ns = 1 * kS;  // 1 s of CPU in 2 s measured: 50 %
  ProcessUsage a, b;
  a.cpu_ns = 2 * kS;  // 100 %
  a.max_rss_bytes = 100u << 20;
  b.cpu_ns = 1 * kS;  // 50 %
  b.max_rss_bytes = 200u << 20;
  r.subscriber_usage = {a, b};
  const Row row = compute_row(r);
  EXPECT_NEAR(row.ack_p50_ms.value(), 2.0, 0.02);
  EXPECT_NEAR(row.ack_p99_ms.value(), 20.0, 0.2);
  EXPECT_NEAR(row.send_delay_p99_ms.value(), 0.1, 0.001);
  EXPECT_DOUBLE_EQ(row.pub_cpu.value(), 50.0);
  EXPECT_DOUBLE_EQ(row.pub_net_txrate.value(), 1'000'000.0);
  EXPECT_DOUBLE_EQ(row.pub_net_rxrate.value(), 20'000.0);
  EXPECT_DOUBLE_EQ(row.sub_cpu.value(), 75.0);
  EXPECT_DOUBLE_EQ(row.sub_rss_mb.value(), 200.0);
}

TEST(Row, ColumnsAreTheContractsInOrder) {
  const std::vector<std::string>& expected = test::contract_columns();
  EXPECT_EQ(Row::column_names(), expected);
}

TEST(Row, CellsArePrintedWithTheirPrecision) {
  StepResult r = lossless_step(3, 1000);
  r.clients[2] = client(2, 900, 1.8);
  r.clients[0].latency.record(1'234'567);  // 1.234567 ms
  const Row row = compute_row(r);
  const auto cells = row.cells();
  ASSERT_EQ(cells.size(), Row::column_names().size());
  auto cell = [&](const std::string& name) {
    const auto& names = Row::column_names();
    return cells[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  EXPECT_EQ(cell("client_count"), "3");
  EXPECT_EQ(cell("packet_tx"), "1000");
  EXPECT_EQ(cell("msg_rate"), "1000.0");
  EXPECT_EQ(cell("average_rate"), "833.3");
  EXPECT_EQ(cell("average_packet_loss"), "3.3333");
  EXPECT_EQ(cell("lat_max_ms"), "1.235");
  EXPECT_EQ(cell("failing_clients"), "1");
  EXPECT_EQ(cell("status"), "ok");
  EXPECT_EQ(format_cell(-0.00001, ColumnFormat::kFixed1), "0.0");
}

TEST(Row, JsonHasNumbersAsNumbers) {
  const Row row = compute_row(lossless_step(2, 1000));
  const auto j = row.to_json();
  EXPECT_EQ(j.at("step"), 3);
  EXPECT_EQ(j.at("packet_tx"), 1000);
  EXPECT_DOUBLE_EQ(j.at("average_rate").get<double>(), 1000.0);
  EXPECT_EQ(j.at("swept").at("publisher.acks"), "all");
  EXPECT_EQ(j.at("status"), "ok");
}

TEST(JsonReporter, WritesTheStepFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("hydra-row-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  StepResult r = lossless_step(2, 1000);
  r.clients[0].latency.record_n(1 * kMs, 10);
  r.clients[1].latency.record_n(3 * kMs, 10);
  JsonReporter reporter(dir);
  reporter.on_step_done(compute_row(r), r);
  const auto path = dir / "steps" / "003-r1.json";
  ASSERT_TRUE(std::filesystem::exists(path));
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("clients").size(), 2u);  // StepResult::to_json() at the top
  EXPECT_EQ(j.at("row").at("packet_tx"), 1000);
  const Histogram merged = Histogram::from_json(j.at("merged_latency"));
  EXPECT_EQ(merged.count(), 20u);
  EXPECT_EQ(merged.max(), 3 * kMs);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hydra
