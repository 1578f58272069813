// scenarios/consumer-groups.json as a user runs it: `hydra validate` accepts
// it, and a shortened run (two of its points, 1 s windows) on the embedded
// broker writes rows where the shared group got the whole window once, with
// the idle members and each member's partitions in the step JSON.
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
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kScenario = std::string(HYDRA_SOURCE_DIR) + "/scenarios/consumer-groups.json";

TEST(ConsumerGroupsScenario, Validates) {
  const auto r = run_command({kHydra, "validate", kScenario}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("15 steps"), std::string::npos) << r.out;
}

TEST(ConsumerGroupsScenario, ShortenedRunCountsTheWindowOncePerGroup) {
  const fs::path out = fs::temp_directory_path() / ("hydra-groups-" + std::to_string(getpid()));
  fs::remove_all(out);
  const auto r = run_command({kHydra, "run", kScenario, "--set", "duration_s=1", "--set",
                              "warmup_s=0.5", "--set", "sweep.topic.partitions=[2]", "--set",
                              "sweep.subscribers.clients=[1,4]", "--out", out.string(), "--quiet"},
                             120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_EQ(row.at("status"), "ok") << row.at("error");
    const double tx = std::stod(row.at("packet_tx"));
    EXPECT_GT(tx, 1000);
    // Per group: the one group got every window message exactly once.
    EXPECT_EQ(std::stod(row.at("average_packets")), tx);
    EXPECT_EQ(row.at("lost"), "0");
    EXPECT_EQ(row.at("duplicates"), "0");
    EXPECT_EQ(row.at("failing_clients"), "0");
    EXPECT_EQ(row.at("group_count"), "1");
    // 4 members over 2 partitions: two idle.
    EXPECT_EQ(row.at("idle_members"), i == 0 ? "0" : "2");
  }
  std::ifstream sj(out / "steps" / "001-r0.json");
  ASSERT_TRUE(sj.good());
  const auto step = nlohmann::json::parse(sj);
  ASSERT_EQ(step["groups"].size(), 1u);
  const auto& g = step["groups"][0];
  EXPECT_EQ(g["members"], nlohmann::json({0, 1, 2, 3}));
  int owning = 0;
  for (const auto& [member, parts] : g["assignment"].items()) owning += !parts.empty();
  EXPECT_EQ(owning, 2) << g["assignment"].dump();
  EXPECT_EQ(g["stats"]["unique"].get<double>(), std::stod(rows[1].at("packet_tx")));
  fs::remove_all(out);
}

const std::string kDelivery = std::string(HYDRA_SOURCE_DIR) + "/scenarios/delivery-semantics.json";

TEST(DeliverySemanticsScenario, Validates) {
  const auto r = run_command({kHydra, "validate", kDelivery}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("8 steps"), std::string::npos) << r.out;
}

// The `crash` fault on an at-least-once group: the member crashes and
// rejoins, the group takes its partitions over from the committed offsets,
// and nothing is lost (duplicates are allowed: at-least-once).
TEST(DeliverySemanticsScenario, CrashedMemberAtLeastOnceLosesNothing) {
  const fs::path out = fs::temp_directory_path() / ("hydra-crash-" + std::to_string(getpid()));
  fs::remove_all(out);
  const fs::path file =
      fs::temp_directory_path() / ("hydra-crash-" + std::to_string(getpid()) + ".json");
  std::ofstream(file) << R"({
    "name": "crash", "topic": {"name": "hydra-crash", "partitions": 2},
    "duration_s": 4, "warmup_s": 0.5, "drain_timeout_s": 10,
    "publisher": {"rate": 1000, "acks": "all"},
    "subscribers": {"clients": 2, "clients_per_agent": 2, "groups": "shared", "group_count": 1,
                    "commit": "after-process",
                    "kafka": {"session.timeout.ms": 1000, "heartbeat.interval.ms": 100}},
    "faults": [{"at_s": 1.5, "action": "crash", "client": 0}]})";
  const auto r =
      run_command({kHydra, "run", file.string(), "--out", out.string(), "--quiet"}, 120s);
  fs::remove(file);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0];
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("faults"), "crash:client0@1.5");
  EXPECT_EQ(row.at("lost"), "0");
  EXPECT_GE(std::stod(row.at("rebalances")), 1);
  fs::remove_all(out);
}

}  // namespace
}  // namespace hydra::test
