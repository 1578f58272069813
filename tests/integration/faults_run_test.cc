// `hydra run` and `hydra validate` with a fault timeline, as a user runs
// them: bad fault entries refused before anything starts, and a short run
// with a broker outage and a killed subscriber agent whose row, step JSON and
// plot show the faults. Reads results.csv and the step JSON, never console
// text.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "results_csv.h"
#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kSmoke = std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json";
const std::string kFaults = std::string(HYDRA_SOURCE_DIR) + "/scenarios/faults.json";

TEST(FaultsRun, TheShippedScenarioValidates) {
  const auto r = run_command({kHydra, "validate", kFaults}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
}

TEST(FaultsRun, ABadFaultEntryExits2BeforeAnythingStarts) {
  const fs::path out = temp_dir("bad-fault") / "out";  // not there: nothing may make it
  const auto r = run_command({kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set",
                              R"(faults=[{"at_s": 1, "action": "broker_down"}])"},
                             30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("faults[0].for_s: missing"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));  // nothing started, nothing written
  const auto v =
      run_command({kHydra, "validate", kSmoke, "--set",
                   R"(faults=[{"at_s": 1, "action": "kill", "target": "subscriber", "index": 5}])"},
                  30s);
  EXPECT_EQ(v.exit_code, 2) << v.err;
  EXPECT_NE(v.err.find("faults[0].index: subscriber agent 5 does not exist"), std::string::npos)
      << v.err;
}

TEST(FaultsRun, ABrokerFaultOnARealClusterExits2NamingTheCommandAction) {
  const auto r =
      run_command({kHydra, "validate", kSmoke, "--set", "broker.bootstrap=127.0.0.1:1", "--set",
                   R"(faults=[{"at_s": 1, "action": "broker_down", "for_s": 1}])"},
                  30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("faults[0].action"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"command\""), std::string::npos) << r.err;
}

// A 1 s broker outage and, later, a subscriber agent killed: the row says
// which faults ran, the killed agent's client is failing, the messages sent
// during the outage waited for the broker (their p99 is far above the rest),
// and the step JSON has the per-second series the plot draws.
TEST(FaultsRun, OutageAndKillShowInTheRowTheTimelineAndThePlot) {
  const fs::path out = temp_dir("faults-run");
  const auto r = run_command(
      {kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set", "duration_s=4", "--set",
       "sweep.publisher.rate=[1000]", "--set", "subscribers.clients_per_agent=1", "--set",
       R"(faults=[{"at_s": 1, "action": "broker_down", "for_s": 1},
                  {"at_s": 3, "action": "kill", "target": "subscriber", "index": 1},
                  {"at_s": 3.2, "action": "command", "run": "echo applied; exit 4"}])"},
      120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0];
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("faults"), "broker_down@1+1 kill:subscriber1@3 command@3.2(exit 4)");
  EXPECT_EQ(row.at("failing_clients"), "1");
  for (const char* col : {"fault_lost", "fault_dups", "fault_lat_p99_ms", "clean_lost",
                          "clean_dups", "clean_lat_p99_ms"})
    EXPECT_FALSE(row.at(col).empty()) << col;
  // The outage held the messages of its second back by up to a second.
  EXPECT_GT(std::stod(row.at("fault_lat_p99_ms")), 5 * std::stod(row.at("clean_lat_p99_ms")));

  std::ifstream sj(out / "steps" / "000-r0.json");
  ASSERT_TRUE(sj.good());
  const auto step = nlohmann::json::parse(sj);
  ASSERT_EQ(step["faults"].size(), 3u);
  EXPECT_EQ(step["faults"][0]["error"], "");
  EXPECT_NEAR(step["faults"][0]["started_s"].get<double>(), 1.0, 0.3);
  EXPECT_NEAR(step["faults"][0]["ended_s"].get<double>(), 2.0, 0.3);
  EXPECT_EQ(step["faults"][2]["command"]["exit_status"], 4);
  EXPECT_EQ(step["faults"][2]["command"]["output"], "applied\n");
  const auto& t = step["timeline"];
  ASSERT_TRUE(t.is_object()) << step.dump().substr(0, 300);
  uint64_t sent = 0;
  for (const auto& s : t["seconds"]) sent += s["sent"].get<uint64_t>();
  EXPECT_EQ(sent, step["publisher"]["sent"].get<uint64_t>());
  EXPECT_TRUE(t["seconds"][1]["in_fault"]);
  EXPECT_FALSE(t["seconds"][0]["in_fault"]);
  // recovery_s is a number exactly when the JSON says it recovered.
  EXPECT_EQ(row.at("recovery_s").empty(), t["recovery"] != "recovered") << t["recovery"];
  EXPECT_FALSE(step["clients"][0].contains("series"));  // merged, not per client
  if (have_program("gnuplot")) EXPECT_TRUE(fs::exists(out / "plots" / "timeline-000-r0.png"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace hydra::test
