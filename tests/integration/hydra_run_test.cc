// `hydra run` end to end on the embedded broker, as a user runs it: the test
// reads results.csv and the step JSON, never console text.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kSmoke = std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json";

// results.csv as rows of column -> value (the writer quotes only error text
// here, which these scenarios leave empty).
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::string cell;
    bool quoted = false;
    for (char c : s) {
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        out.push_back(cell), cell.clear();
      else
        cell += c;
    }
    out.push_back(cell);
    return out;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  while (std::getline(in, line)) {
    const auto cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("hydra-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// PIDs of live processes whose environment carries `tag` (agents inherit the
// controller's environment, so this finds every agent a run started).
std::vector<int> processes_with_env(const std::string& tag) {
  std::vector<int> pids;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream env(e.path() / "environ", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(env)), std::istreambuf_iterator<char>());
    std::ifstream stat(e.path() / "stat");
    std::string st;
    std::getline(stat, st);
    const bool zombie = st.find(") Z ") != std::string::npos;
    if (!zombie && all.find(tag) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

TEST(HydraRun, SmokeScenarioWritesLosslessRows) {
  const fs::path out = temp_dir("smoke");
  const auto r = run_command({kHydra, "run", kSmoke, "--out", out.string(), "--quiet"}, 180s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  const double duration = 2.0;
  const double rates[] = {500, 1000};
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_EQ(row.at("status"), "ok") << row.at("error");
    EXPECT_EQ(std::stod(row.at("msg_rate")), rates[i]);
    EXPECT_EQ(row.at("publisher.rate"), i == 0 ? "500" : "1000");  // sweep columns first
    const double tx = std::stod(row.at("packet_tx"));
    EXPECT_NEAR(tx, rates[i] * duration, rates[i] * duration * 0.02);
    EXPECT_EQ(std::stod(row.at("average_packet_loss")), 0.0);
    EXPECT_EQ(row.at("failing_clients"), "0");
    EXPECT_EQ(row.at("lost"), "0");
    EXPECT_EQ(row.at("duplicates"), "0");
    EXPECT_EQ(std::stod(row.at("average_packets")), tx);
    for (const char* col : {"lat_p50_ms", "lat_p99_ms", "lat_max_ms", "ack_p50_ms"})
      EXPECT_GT(std::stod(row.at(col)), 0.0) << col;
    EXPECT_GE(std::stod(row.at("lat_p99_ms")), std::stod(row.at("lat_p50_ms")));
    EXPECT_EQ(row.at("client_count"), "2");
  }
  // The raw per-client stats behind the first row.
  std::ifstream sj(out / "steps" / "000-r0.json");
  ASSERT_TRUE(sj.good());
  const auto step = nlohmann::json::parse(sj);
  ASSERT_EQ(step["clients"].size(), 2u) << step.dump().substr(0, 400);
  EXPECT_EQ(step["row"]["status"], "ok");
  EXPECT_TRUE(fs::exists(out / "scenario.json"));
  EXPECT_TRUE(fs::exists(out / "latency" / "000-r0.hgrm"));
  fs::remove_all(out);
}

// The same scenario on both embedded broker kinds (one sweep over the kind,
// so the broker is restarted between the steps): each kind must hand every
// client exactly the publisher's window, no more, no less.
TEST(HydraRun, BothEmbeddedBrokerKindsDeliverTheWholeWindowToEveryClient) {
  const fs::path out = temp_dir("kinds");
  const auto r = run_command({kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set",
                              "sweep.broker.embedded.kind=[\"hydra\",\"mock\"]", "--set",
                              "publisher.rate=1000"},
                             180s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE(row.at("broker.embedded.kind"));
    EXPECT_EQ(row.at("broker.embedded.kind"), i == 0 ? "hydra" : "mock");
    EXPECT_EQ(row.at("status"), "ok") << row.at("error");
    EXPECT_EQ(row.at("lost"), "0");
    EXPECT_EQ(row.at("duplicates"), "0");
    std::ifstream sj(out / "steps" / ("00" + std::to_string(i) + "-r0.json"));
    ASSERT_TRUE(sj.good());
    const auto step = nlohmann::json::parse(sj);
    const uint64_t tx = step["row"]["packet_tx"].get<uint64_t>();
    EXPECT_GT(tx, 0u);
    ASSERT_EQ(step["clients"].size(), 2u);
    for (const auto& c : step["clients"]) {
      EXPECT_EQ(c["unique"].get<uint64_t>(), tx) << c.dump().substr(0, 300);
      EXPECT_EQ(c["latency"]["count"].get<uint64_t>(), tx);  // one sample per window message
    }
  }
  fs::remove_all(out);
}

TEST(HydraRun, ProcessingStageRowsCpuOkGpuSkippedWithoutDevice) {
  const fs::path out = temp_dir("processing");
  const std::string gpu_scenario = std::string(HYDRA_SOURCE_DIR) + "/scenarios/gpu-consumer.json";
  const auto r =
      run_command({kHydra, "run", gpu_scenario, "--out", out.string(), "--quiet", "--set",
                   "duration_s=2", "--set", "warmup_s=1", "--set", "publisher.rate=2000", "--set",
                   "sweep.subscribers.processing.kind=[\"mlp\"]", "--set",
                   "sweep.subscribers.processing.batch=[256]"},
                  180s);
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u) << r.err;
  const auto& cpu = rows[0];
  EXPECT_EQ(cpu.at("proc_series"), "mlp/cpu");
  EXPECT_EQ(cpu.at("status"), "ok") << cpu.at("error");
  // Every received window message went through the stage. The stage's own
  // counters restart at the reset, not at the window's first sequence, so the
  // few records in flight at that instant may add one side or the other.
  const double tx = std::stod(cpu.at("packet_tx"));
  EXPECT_NEAR(std::stod(cpu.at("proc_records")), tx, std::max(3.0, tx * 0.01));
  EXPECT_GT(std::stod(cpu.at("proc_rate")), 0.0);
  EXPECT_GT(std::stod(cpu.at("proc_added_p99_ms")), 0.0);
  EXPECT_GE(std::stod(cpu.at("proc_e2e_p99_ms")), std::stod(cpu.at("proc_added_p99_ms")));
  EXPECT_GT(std::stod(cpu.at("proc_batch_fill_mean")), 0.0);
  EXPECT_NE(cpu.at("proc_device").find("cpu"), std::string::npos);
  const auto& gpu = rows[1];
  EXPECT_EQ(gpu.at("proc_series"), "mlp/gpu");
  if (gpu.at("status") == "skipped") {
    // No usable GPU here: the row says so, and nothing was measured.
    EXPECT_NE(gpu.at("error").find("GPU"), std::string::npos) << gpu.at("error");
    EXPECT_EQ(r.exit_code, 0) << "skipped steps are not failures";
  } else {
    EXPECT_EQ(gpu.at("status"), "ok") << gpu.at("error");
    const double gtx = std::stod(gpu.at("packet_tx"));
    EXPECT_NEAR(std::stod(gpu.at("proc_records")), gtx, std::max(3.0, gtx * 0.01));
  }
  EXPECT_TRUE(fs::exists(out / "plots" / "processing.png") || !have_program("gnuplot"));
  fs::remove_all(out);
}

// Command line of a process, NULs turned into spaces.
std::string cmdline(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

TEST(HydraRun, KilledAgentFailsItsStepAndTheSweepGoesOn) {
  const fs::path out = temp_dir("killed");
  const std::string tag = "HYDRA_TEST_TAG=killed-" + std::to_string(getpid());
  const fs::path scenario = out / "two-steps.json";
  std::ofstream(scenario) << R"({
    "name": "killed", "duration_s": 8, "warmup_s": 1, "control_timeout_s": 2,
    "topic": {"name": "killed"},
    "publisher": {"rate": 500},
    "subscribers": {"clients": 2, "clients_per_agent": 1},
    "sweep": {"publisher.rate": [500, 600]}
  })";
  auto bg = start_background(
      {kHydra, "run", scenario.string(), "--out", (out / "r").string(), "--quiet"}, 1s, {tag});
  ASSERT_GT(bg.pid, 0);
  // Find a subscriber agent of this run, then kill it once the step is under way.
  int victim = -1;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (victim < 0 && std::chrono::steady_clock::now() < deadline) {
    for (int pid : processes_with_env(tag))
      if (cmdline(pid).find("--role sub") != std::string::npos) victim = pid;
    if (victim < 0) std::this_thread::sleep_for(100ms);
  }
  ASSERT_GT(victim, 0) << "no subscriber agent appeared";
  // Barrier + warm-up: into the measured window (1..9 s after the barrier;
  // the barrier takes from ~0 s to ~3 s depending on the broker kind).
  std::this_thread::sleep_for(5s);
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  const int code = stop_background(bg.pid, 0, 120s);  // signal 0: just wait
  EXPECT_EQ(code, 1) << "a failed step makes the run exit 1";
  const auto rows = read_csv(out / "r" / "results.csv");
  ASSERT_EQ(rows.size(), 2u) << "both steps get their row";
  EXPECT_EQ(rows[0].at("status"), "failed");
  EXPECT_NE(rows[0].at("error").find("sub agent"), std::string::npos) << rows[0].at("error");
  EXPECT_GE(std::stoi(rows[0].at("failing_clients")), 1);
  EXPECT_GT(std::stoull(rows[0].at("lost")), 0u);
  // The sweep went on with a fresh agent.
  EXPECT_EQ(rows[1].at("status"), "ok") << rows[1].at("error");
  EXPECT_EQ(rows[1].at("failing_clients"), "0");
  EXPECT_TRUE(processes_with_env(tag).empty());
  fs::remove_all(out);
}

TEST(HydraValidate, BrokenScenariosExit2NamingTheKey) {
  const fs::path dir = temp_dir("validate");
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {R"({"publisher": {"rate": -5}})", "publisher.rate"},
      {R"({"publisher": {"rat": 5}})", "publisher.rat"},
      {R"({"topic": {"replication": 3}})", "topic.replication"},
      {R"({"publisher": {"message_size": 10}})", "publisher.message_size"},
      {"{\n  \"name\": \"x\",\n  oops\n}", ":3:"},
  };
  int i = 0;
  for (const auto& c : cases) {
    const fs::path f = dir / ("bad" + std::to_string(i++) + ".json");
    std::ofstream(f) << c.text;
    const auto r = run_command({kHydra, "validate", f.string()}, 30s);
    EXPECT_EQ(r.exit_code, 2) << c.text;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.text << " -> " << r.err;
    // hydra run refuses it the same way, before starting anything.
    const auto rr = run_command({kHydra, "run", f.string(), "--out", (dir / "o").string()}, 30s);
    EXPECT_EQ(rr.exit_code, 2) << c.text;
    EXPECT_FALSE(fs::exists(dir / "o" / "results.csv"));
  }
  const auto ok = run_command({kHydra, "validate", kSmoke, "--set", "publisher.rate=750"}, 30s);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  fs::remove_all(dir);
}

TEST(HydraRun, SigintKeepsFinishedRowsAndLeavesNoAgent) {
  const fs::path out = temp_dir("sigint");
  const std::string tag = "HYDRA_TEST_TAG=sigint-" + std::to_string(getpid());
  const fs::path scenario = out / "four-steps.json";
  std::ofstream(scenario) << R"({
    "name": "sigint", "duration_s": 2, "warmup_s": 1,
    "topic": {"name": "sigint"},
    "subscribers": {"clients": 2, "clients_per_agent": 1},
    "sweep": {"publisher.rate": [500, 600, 700, 800]}
  })";
  auto bg = start_background(
      {kHydra, "run", scenario.string(), "--out", (out / "r").string(), "--quiet"}, 1s, {tag});
  ASSERT_GT(bg.pid, 0);
  // Wait (bounded) for the first finished row, then interrupt mid-run.
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  size_t rows = 0;
  while (rows == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    rows = read_csv(out / "r" / "results.csv").size();
  }
  ASSERT_GE(rows, 1u) << "no row within 90 s";
  EXPECT_FALSE(processes_with_env(tag).empty()) << "agents should be running mid-run";
  const int code = stop_background(bg.pid, SIGINT, 30s);
  EXPECT_EQ(code, 1) << "an interrupted run exits 1";
  const auto after = read_csv(out / "r" / "results.csv");
  EXPECT_GE(after.size(), rows);
  EXPECT_LT(after.size(), 4u) << "the run should have stopped early";
  EXPECT_EQ(after.front().at("status"), "ok");
  // No agent left behind (allow a moment for the last exits to be reaped).
  auto left = processes_with_env(tag);
  for (int i = 0; i < 50 && !left.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    left = processes_with_env(tag);
  }
  EXPECT_TRUE(left.empty()) << left.size() << " process(es) left, first pid " << left.front();
  for (int pid : left) kill(pid, SIGKILL);
  fs::remove_all(out);
}

}  // namespace
}  // namespace hydra::test
