// The sweeps helper's scenarios and run modes end to end, as a user runs
// them: every shipped scenario below passes `hydra validate` and a shortened
// run (1 s windows, one value per swept key) completes with its rows and
// plots; a producer-only run gives throughput and ack latency alone; repeats
// add aggregate rows; a rate search writes probe rows and search.csv; a
// consumer-only run counts a topic that kcat fills against `hydra broker`.
// The tests read results.csv and search.csv, never console text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "results_csv.h"
#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kScenarios = std::string(HYDRA_SOURCE_DIR) + "/scenarios/";

double num(const CsvRow& row, const std::string& col) {
  const std::string& v = row.at(col);
  EXPECT_FALSE(v.empty()) << col << " is empty";
  return v.empty() ? 0 : std::stod(v);
}

// Runs `hydra run SCENARIO` shortened: 1 s windows, 0.5 s warm-up, and the
// given --set values (one value per swept key).
RunResult run_short(const std::string& scenario, const fs::path& out,
                    const std::vector<std::string>& sets) {
  std::vector<std::string> argv = {
      kHydra,    "run",   kScenarios + scenario, "--out", out.string(),
      "--quiet", "--set", "duration_s=1",        "--set", "warmup_s=0.5"};
  for (const auto& s : sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  return run_command(argv, 120s);
}

struct Shortened {
  const char* scenario;
  std::vector<std::string> sets;
  // Its shortened run is a test of its own below (checked more closely).
  bool own_test = false;
};

const std::vector<Shortened>& shipped() {
  static const std::vector<Shortened> s = {
      {"hydra-kafka-batch.json",
       {"sweep.subscribers.clients=[2]", "subscribers.clients_per_agent=2",
        "sweep.publisher.msg_batch=[10]"}},
      {"producer-partitions.json", {"sweep.topic.partitions=[2]"}},
      {"producer-replication.json", {"sweep.publisher.rate=[5000]", "sweep.topic.replication=[3]"}},
      {"producer-batch-size.json",
       {"sweep.publisher.linger_ms=[5]", "sweep.publisher.kafka.batch.size=[16384]", "repeats=2"},
       true},
      {"producer-acks-compression.json",
       {"sweep.publisher.acks=[\"all\"]", "sweep.publisher.kafka.compression.type=[\"lz4\"]"}},
      {"max-rate.json",
       {"sweep.subscribers.clients=[1]", "max_probes=2", "publisher.rate=2000"},
       true},
  };
  return s;
}

TEST(SweepsScenarios, EachValidates) {
  for (const auto& s : shipped()) {
    SCOPED_TRACE(s.scenario);
    const auto r = run_command({kHydra, "validate", kScenarios + s.scenario}, 30s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("estimated wall time"), std::string::npos) << r.out;
  }
}

TEST(SweepsScenarios, EachShortenedRunCompletesAndPlots) {
  const bool gnuplot = have_program("gnuplot");
  for (const auto& s : shipped()) {
    if (s.own_test) continue;
    SCOPED_TRACE(s.scenario);
    const fs::path out = temp_dir(fs::path(s.scenario).stem().string());
    const auto r = run_short(s.scenario, out, s.sets);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto rows = read_csv(out / "results.csv");
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
      if (!row.at("aggregate").empty()) continue;
      EXPECT_EQ(row.at("status"), "ok") << row.at("error");
      EXPECT_GT(num(row, "average_tx_rate"), 0);
      EXPECT_GT(num(row, "ack_p50_ms"), 0);
    }
    if (gnuplot) EXPECT_TRUE(fs::exists(out / "plots" / "sweep_throughput.png"));
    fs::remove_all(out);
  }
}

TEST(SweepsRun, ProducerOnlyGivesThroughputAndAckLatencyAlone) {
  const fs::path out = temp_dir("producer-only");
  const auto r = run_short("producer-batch-size.json", out, shipped()[3].sets);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(out / "results.csv");
  // Two repeats, then mean, stddev, min, max and n.
  ASSERT_EQ(rows.size(), 2u + 5u);
  for (int i = 0; i < 2; ++i) {
    const auto& row = rows[size_t(i)];
    EXPECT_EQ(row.at("repeat"), std::to_string(i));
    EXPECT_EQ(row.at("client_count"), "0");
    EXPECT_GT(num(row, "packet_tx"), 1000);
    EXPECT_GT(num(row, "tx_mb_s"), 0);
    EXPECT_GT(num(row, "ack_p99_ms"), 0);
    // No clients: nothing received, nothing lost, no end-to-end latency.
    for (const char* col :
         {"lost", "average_packet_loss", "failing_clients", "lat_p50_ms", "rx_rate", "consumed"})
      EXPECT_EQ(row.at(col), "") << col;
  }
  const auto& mean = rows[2];
  EXPECT_EQ(mean.at("aggregate"), "mean");
  EXPECT_EQ(mean.at("repeat"), "");
  EXPECT_NEAR(num(mean, "packet_tx"), (num(rows[0], "packet_tx") + num(rows[1], "packet_tx")) / 2,
              1);
  EXPECT_EQ(rows[6].at("aggregate"), "n");
  EXPECT_EQ(rows[6].at("packet_tx"), "2");
  EXPECT_EQ(rows[6].at("lat_p50_ms"), "0");
  EXPECT_EQ(mean.at("lat_p50_ms"), "");
  if (have_program("gnuplot")) {
    EXPECT_TRUE(fs::exists(out / "plots" / "sweep_throughput.png"));
    EXPECT_TRUE(fs::exists(out / "plots" / "sweep_ack.png"));
    EXPECT_FALSE(fs::exists(out / "plots" / "sweep_latency.png"));  // nothing measured it
  }
  fs::remove_all(out);
}

TEST(SweepsRun, SearchWritesProbeRowsAndSearchCsv) {
  const fs::path out = temp_dir("search");
  const auto r = run_short("max-rate.json", out, shipped()[5].sets);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("probe"), "1");
  EXPECT_EQ(num(rows[0], "msg_rate"), 2000);
  EXPECT_EQ(rows[1].at("probe"), "2");
  EXPECT_EQ(num(rows[1], "msg_rate"), 4000);  // it kept up at 2000: doubled
  EXPECT_EQ(rows[0].at("search"), "grow: keeps up");
  const auto answers = read_csv(out / "search.csv");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].at("mode"), "find-max-rate");
  EXPECT_EQ(answers[0].at("probes"), "2");
  EXPECT_EQ(answers[0].at("status"), "bounded");
  EXPECT_GE(num(answers[0], "rate"), 2000);
  if (have_program("gnuplot")) EXPECT_TRUE(fs::exists(out / "plots" / "sweep_throughput.png"));
  fs::remove_all(out);
}

TEST(SweepsRun, ConsumerOnlyCountsATopicFilledByKcat) {
  if (!have_program("kcat")) GTEST_SKIP() << "kcat is not installed (apt-get install kcat)";
  const Background broker =
      start_background({kHydra, "broker", "--topic", "filled", "--partitions", "2"}, 10s);
  ASSERT_GT(broker.pid, 0);
  ASSERT_FALSE(broker.first_line.empty());
  // kcat fills the topic in bursts of 20 messages about every 0.3 s, for
  // about 9 s: through the run's whole measured window. (One kcat reading a
  // slow pipe would not do: it reads its input in blocks and sends them at
  // once.) The messages carry no Hydra header: foreign.
  RunResult fed;
  std::thread feeder([&] {
    fed = run_command({"bash", "-c",
                       "for j in $(seq 1 30); do seq 1 20 | sed s/^/m$j-/ | kcat -P -b " +
                           broker.first_line + " -t filled || exit 1; sleep 0.2; done"},
                      60s);
  });
  const fs::path out = temp_dir("consumer-only");
  const auto r = run_command({kHydra,
                              "run",
                              kScenarios + "smoke.json",
                              "--out",
                              out.string(),
                              "--quiet",
                              "--set",
                              "broker.bootstrap=" + broker.first_line,
                              "--set",
                              "topic.name=filled",
                              "--set",
                              "topic.reuse=true",
                              "--set",
                              "topic.partitions=2",
                              "--set",
                              "publisher.enabled=false",
                              "--set",
                              "sweep.publisher.rate=[500]",
                              "--set",
                              "duration_s=2",
                              "--set",
                              "warmup_s=0.5"},
                             60s);
  feeder.join();
  stop_background(broker.pid, SIGTERM, 5s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(fed.exit_code, 0) << fed.err;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0];
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  // No publisher: no window, no send figures, no loss against a window.
  for (const char* col : {"packet_tx", "average_tx_rate", "lost", "ack_p50_ms"})
    EXPECT_EQ(row.at(col), "") << col;
  const double consumed = num(row, "consumed");
  EXPECT_GE(consumed, 2 * 20);   // at least a burst for each of the two clients
  EXPECT_LE(consumed, 2 * 600);  // never more than kcat sent, per client
  EXPECT_EQ(num(row, "foreign"), consumed);
  EXPECT_EQ(row.at("gaps"), "0");
  // ~65 msg/s sent; a client receives about that (bursts make it coarse).
  EXPECT_GT(num(row, "consumed_rate"), 5);
  EXPECT_LT(num(row, "consumed_rate"), 200);
  fs::remove_all(out);
}

}  // namespace
}  // namespace hydra::test
