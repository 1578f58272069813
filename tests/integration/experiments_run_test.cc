// The shipped experiment scenarios as a user runs them, shortened (1 s
// windows, one step each): each passes `hydra validate`, runs on the
// embedded broker and shows the figure its question is about.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "results_csv.h"
#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The one row of a one-step run's results.csv (empty when there is none).
CsvRow only_row(const fs::path& csv) {
  const auto rows = read_csv(csv);
  return rows.empty() ? CsvRow{} : rows.front();
}
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";

std::string scenario(const std::string& name) {
  return std::string(HYDRA_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

// Runs `name` shortened with `sets`; returns its row and step JSON.
std::pair<std::map<std::string, std::string>, nlohmann::json> run_short(
    const std::string& name, const std::vector<std::string>& sets) {
  const fs::path out =
      fs::temp_directory_path() / ("hydra-exp-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(out);
  std::vector<std::string> args{kHydra, "validate", scenario(name)};
  const auto v = run_command(args, 30s);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  args = {kHydra,    "run",   scenario(name), "--out", out.string(),
          "--quiet", "--set", "duration_s=1", "--set", "warmup_s=0.5"};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  const auto r = run_command(args, 90s);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  auto row = only_row(out / "results.csv");
  std::ifstream sj(out / "steps" / "000-r0.json");
  nlohmann::json step = sj ? nlohmann::json::parse(sj, nullptr, false) : nlohmann::json();
  fs::remove_all(out);
  return {row, step};
}

TEST(ExperimentRuns, HotKeyMakesOneHotPartition) {
  const auto [row, step] =
      run_short("hot-partition", {"publisher.keys.distribution=hot",
                                  "publisher.keys.hot_fraction=0.9", "publisher.keys.exponent=1"});
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("hot_partitions"), "1");
  // The hot key's partition: 90 % plus its share of the other keys.
  EXPECT_GE(std::stod(row.at("max_partition_share")), 0.89);
  EXPECT_EQ(row.at("lost"), "0");
  ASSERT_TRUE(step.contains("partitions"));
  EXPECT_EQ(step["partitions"].size(), 8u);
}

TEST(ExperimentRuns, SerializersDecodeWhatTheyEncode) {
  const auto [row, step] =
      run_short("serializers", {"publisher.payload=order", "publisher.encoding=cbor"});
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("decode_errors"), "0");
  EXPECT_GT(std::stod(row.at("encode_us")), 0.0);
  EXPECT_GT(std::stod(row.at("decode_us")), 0.0);
  EXPECT_GT(std::stod(row.at("payload_bytes")), 40.0);
  EXPECT_EQ(row.at("lost"), "0");
}

TEST(ExperimentRuns, SlowClientsFallBehindAndTheOthersLoseNothing) {
  const auto [row, step] =
      run_short("slow-consumers", {"subscribers.slow.fraction=0.3", "drain_timeout_s=1"});
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("slow_clients"), "3");
  EXPECT_GT(std::stoll(row.at("slow_behind")), 0);
  EXPECT_EQ(row.at("failing_clients"), "0");
  EXPECT_EQ(row.at("lost"), "0");
  EXPECT_EQ(step["slow_clients"], nlohmann::json({3, 6, 9}));
  // The slow ones read at their rate, 100 msg/s, over the ~2-4 s from their
  // start to the end of the drain (first the warm-up's backlog), the others
  // all of it.
  for (const auto& c : step["clients"]) {
    const auto received = c["received"].get<uint64_t>();
    if (!c["slow"].get<bool>()) {
      EXPECT_EQ(c["unique"].get<uint64_t>(), std::stoull(row.at("packet_tx")));
      continue;
    }
    EXPECT_LT(received, 600u) << c["client_id"];
    EXPECT_GT(received, 50u) << c["client_id"];
  }
}

TEST(ExperimentRuns, SensorPipelineProcessesJsonReadings) {
  const auto [row, step] =
      run_short("sensor-pipeline", {"publisher.encoding=json", "publisher.rate=1000"});
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("decode_errors"), "0");
  EXPECT_GT(std::stoll(row.at("proc_records")), 500);
}

TEST(ExperimentRuns, LargeRecordsArriveWhole) {
  const auto [row, step] = run_short("producer-record-size", {"publisher.message_size=100000"});
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("lost"), "0");
  EXPECT_NEAR(std::stod(row.at("payload_bytes")), 100000.0, 0.5);
}

TEST(ExperimentRuns, SeveralTopicsAreSpreadOverAndAllRead) {
  // groups "none": each client assigns every partition of every topic.
  const auto [row, step] =
      run_short("producer-record-size",
                {"publisher.message_size=100", "topic.count=3", "topic.partitions=2"});
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("lost"), "0");
  ASSERT_EQ(step["partitions"].size(), 6u);  // streams: 3 topics x 2 partitions
  for (const auto& p : step["partitions"]) EXPECT_NEAR(p["share"].get<double>(), 1.0 / 6, 0.02);
  // Per-client groups: each client subscribes to every topic.
  const auto [row2, step2] =
      run_short("slow-consumers", {"subscribers.slow.fraction=0", "topic.count=2"});
  EXPECT_EQ(row2.at("status"), "ok") << row2.at("error");
  EXPECT_EQ(row2.at("lost"), "0");
  EXPECT_EQ(row2.at("failing_clients"), "0");
  EXPECT_EQ(step2["partitions"].size(), 2u);
}

}  // namespace
}  // namespace hydra::test
