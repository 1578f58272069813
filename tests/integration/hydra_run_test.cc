// `hydra run` end to end on the embedded broker, as a user runs it: the test
// reads results.csv and the step JSON, never console text.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "results_csv.h"
#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kSmoke = std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json";

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

// A log kept to 20 kB: the broker's retention removes records during each
// step, and broker_trimmed says how many (the clients keep up, so none of
// them is lost; the column is what would explain a loss that is the
// broker's, not the clients').
TEST(HydraRun, BrokerTrimmedCountsWhatRetentionRemoved) {
  const fs::path out = temp_dir("trim");
  const auto r = run_command({kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set",
                              "topic.config.retention.bytes=20000", "--set", "topic.name=trim"},
                             120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("status"), "ok") << row.at("error");
    // 100 B records at 500-1000 msg/s over 3 s against a 20 kB log.
    EXPECT_GT(std::stod(row.at("broker_trimmed")), 500) << row.at("broker_trimmed");
  }
  fs::remove_all(out);
}

// The clients' agent is paused while a 20 kB log is trimmed under it: when
// it resumes, what it had not read is gone. That loss is the broker's
// retention (lost_trimmed), not a slow client (behind); max_lag says how far
// behind the log end they were when the publisher stopped.
TEST(HydraRun, LossTheBrokerTrimmedBeforeItWasReadIsAttributedToTheBroker) {
  const fs::path out = temp_dir("trimmed");
  const auto r = run_command(
      {kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set",
       "topic.config.retention.bytes=20000", "--set", "topic.name=trimmed", "--set",
       "sweep={\"publisher.rate\":[1000]}", "--set",
       "faults=[{\"at_s\":0.3,\"action\":\"pause\",\"target\":\"subscriber\",\"index\":0,"
       "\"for_s\":1.2}]"},
      120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0];
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  const double lost = std::stod(row.at("lost"));
  EXPECT_GT(lost, 500) << "1.2 s at 1000 msg/s against a log of ~140 records";
  EXPECT_EQ(std::stod(row.at("lost_trimmed")), lost);
  EXPECT_EQ(row.at("behind"), "0");
  EXPECT_GT(std::stod(row.at("max_lag")), 0);
  fs::remove_all(out);
}

// The same scenario on both embedded broker kinds (one sweep over the kind,
// so the broker is restarted between the steps): each kind must hand every
// client exactly the publisher's window, no more, no less.
TEST(HydraRun, BothEmbeddedBrokerKindsDeliverTheWholeWindowToEveryClient) {
  const fs::path out = temp_dir("kinds");
  const auto r = run_command(
      {kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set",
       "sweep.broker.embedded.kind=[\"hydra\",\"mock\"]", "--set", "publisher.rate=1000"},
      180s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE(row.at("broker.embedded.kind"));
    EXPECT_EQ(row.at("broker.embedded.kind"), i == 0 ? "hydra" : "mock");
    EXPECT_EQ(row.at("status"), "ok") << row.at("error");
    // Hydra's broker counts what its retention removes (nothing here); the
    // mock does not say: empty, not 0.
    EXPECT_EQ(row.at("broker_trimmed"), i == 0 ? "0" : "");
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

// The real-cluster path (broker.bootstrap, topic created through the admin
// API) against `hydra broker`, with a topic name the broker has never seen:
// the topic check must not create it behind the admin's back, and the step
// runs lossless on the topic the admin created.
TEST(HydraRun, BootstrapPathCreatesANewTopicOnHydraBroker) {
  const fs::path out = temp_dir("bootstrap");
  auto broker = start_background({kHydra, "broker"}, 20s);
  ASSERT_GT(broker.pid, 0);
  ASSERT_FALSE(broker.first_line.empty()) << "hydra broker printed no bootstrap line";
  const auto r = run_command(
      {kHydra, "run", kSmoke, "--out", out.string(), "--quiet", "--set",
       "broker.bootstrap=" + broker.first_line, "--set",
       "topic.name=never-seen-" + std::to_string(getpid()), "--set", "sweep.publisher.rate=[500]"},
      120s);
  EXPECT_EQ(stop_background(broker.pid, SIGTERM, 10s), 0);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "ok") << rows[0].at("error");
  EXPECT_EQ(rows[0].at("lost"), "0");
  EXPECT_EQ(rows[0].at("failing_clients"), "0");
  EXPECT_GT(std::stoull(rows[0].at("packet_tx")), 0u);
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

// A subscriber agent started by the run whose environment carries `tag`,
// waited for up to `limit`; -1 when none appeared.
int subscriber_agent(const std::string& tag, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (int pid : processes_with_env(tag))
      if (cmdline(pid).find("--role sub") != std::string::npos) return pid;
    std::this_thread::sleep_for(100ms);
  }
  return -1;
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
  const int victim = subscriber_agent(tag, 30s);
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
  // The window closed on time: the dead agent's 2 s control timeout did not
  // stretch it (500 msg/s x 8 s, not x 10 s).
  EXPECT_NEAR(std::stod(rows[0].at("packet_tx")), 500.0 * 8, 500.0 * 8 * 0.05);
  EXPECT_NEAR(std::stod(rows[0].at("average_tx_rate")), 500.0, 500.0 * 0.05);
  // The sweep went on with a fresh agent.
  EXPECT_EQ(rows[1].at("status"), "ok") << rows[1].at("error");
  EXPECT_EQ(rows[1].at("failing_clients"), "0");
  EXPECT_TRUE(processes_with_env(tag).empty());
  fs::remove_all(out);
}

// A subscriber agent that hangs inside the measured window (stopped, not
// dead: nothing tells the controller) does not stretch the window: the stop
// is issued at warm-up + duration, not after the agent's control timeout.
TEST(HydraRun, HungAgentDoesNotStretchTheWindow) {
  const fs::path out = temp_dir("hung");
  const std::string tag = "HYDRA_TEST_TAG=hung-" + std::to_string(getpid());
  const fs::path scenario = out / "one-step.json";
  std::ofstream(scenario) << R"({
    "name": "hung", "duration_s": 6, "warmup_s": 1, "control_timeout_s": 3,
    "topic": {"name": "hung"},
    "publisher": {"rate": 500},
    "subscribers": {"clients": 2, "clients_per_agent": 1}
  })";
  auto bg = start_background(
      {kHydra, "run", scenario.string(), "--out", (out / "r").string(), "--quiet"}, 1s, {tag});
  ASSERT_GT(bg.pid, 0);
  const int victim = subscriber_agent(tag, 30s);
  ASSERT_GT(victim, 0) << "no subscriber agent appeared";
  // The embedded broker's groups form at once (readiness well under 1 s; the
  // mock cluster's took about 3 s), the warm-up is 1 s: 3.5 s after the agent
  // appeared is well inside the 6 s window.
  std::this_thread::sleep_for(3500ms);
  ASSERT_EQ(kill(victim, SIGSTOP), 0);
  const int code = stop_background(bg.pid, 0, 120s);
  kill(victim, SIGKILL);
  EXPECT_EQ(code, 1) << "a failed step makes the run exit 1";
  const auto rows = read_csv(out / "r" / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "failed");
  EXPECT_EQ(rows[0].at("failing_clients"), "1") << rows[0].at("error");
  // 500 msg/s x 6 s: not x (6 s + the 3 s control timeout).
  EXPECT_NEAR(std::stod(rows[0].at("packet_tx")), 500.0 * 6, 500.0 * 6 * 0.05);
  EXPECT_NEAR(std::stod(rows[0].at("average_tx_rate")), 500.0, 500.0 * 0.05);
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
      {R"({"duration_s": 3E3333})", "out of range"},  // found by fuzz/scenario_fuzz.cc
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

// Whether a process still runs (a zombie does not).
bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string st;
  if (!std::getline(stat, st)) return false;
  return st.find(") Z ") == std::string::npos;
}

// Runs a four-step scenario, waits for the first finished row, sends
// `signals` (50 ms apart) and checks: exit non-zero within 5 s, every agent
// that was running gone within 5 s (by pid), every finished row on disk.
void interrupt_run(const std::string& name, const std::vector<int>& signals) {
  const fs::path out = temp_dir(name);
  const std::string tag = "HYDRA_TEST_TAG=" + name + "-" + std::to_string(getpid());
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
  std::this_thread::sleep_for(1500ms);  // into the next step
  const std::vector<int> agents = processes_with_env(tag);
  EXPECT_FALSE(agents.empty()) << "agents should be running mid-run";
  for (size_t i = 0; i + 1 < signals.size(); ++i) {
    kill(bg.pid, signals[i]);
    std::this_thread::sleep_for(50ms);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int code = stop_background(bg.pid, signals.back(), 5s);
  EXPECT_NE(code, -1) << "hydra run did not exit within 5 s";
  EXPECT_NE(code, 0) << "an interrupted run exits non-zero";
  if (signals.size() == 1) EXPECT_EQ(code, 1);
  // Every agent that was running is gone within 5 s of the signal.
  std::vector<int> left;
  do {
    left.clear();
    for (int pid : agents)
      if (alive(pid)) left.push_back(pid);
    if (!left.empty()) std::this_thread::sleep_for(100ms);
  } while (!left.empty() && std::chrono::steady_clock::now() - t0 < 5s);
  EXPECT_TRUE(left.empty()) << left.size() << " agent(s) left, first pid " << left.front() << ": "
                            << cmdline(left.front());
  for (int pid : left) kill(pid, SIGKILL);
  EXPECT_TRUE(processes_with_env(tag).empty());
  // Every finished row is on disk; the run stopped early.
  const auto after = read_csv(out / "r" / "results.csv");
  EXPECT_GE(after.size(), rows);
  EXPECT_LT(after.size(), 4u) << "the run should have stopped early";
  EXPECT_EQ(after.front().at("status"), "ok");
  if (signals.size() == 1 && after.size() > rows) {
    // The step the signal hit is written as interrupted, not failed.
    EXPECT_EQ(after.back().at("status"), "interrupted") << after.back().at("error");
  }
  fs::remove_all(out);
}

TEST(HydraRun, SigintKeepsFinishedRowsAndLeavesNoAgent) {
  interrupt_run("sigint", {SIGINT});
}

TEST(HydraRun, SigtermKeepsFinishedRowsAndLeavesNoAgent) {
  interrupt_run("sigterm", {SIGTERM});
}

// The second Ctrl-C exits at once: the agents still go (they die with their
// parent), and the rows already written stay.
TEST(HydraRun, DoubleSigintLeavesNoOrphan) {
  interrupt_run("double-sigint", {SIGINT, SIGINT});
}

// Problems every step would hit are found once, before the first step, in
// under 5 s, with no plot errors and no results folder.
TEST(HydraRun, BadPropertyIsRefusedBeforeTheFirstStep) {
  const fs::path out = temp_dir("badprop");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_command({kHydra, "run", kSmoke, "--out", (out / "r").string(), "--set",
                              "publisher.kafka.no.such.prop=1"},
                             30s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("publisher.kafka.no.such.prop"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("plot"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "r"));
  const auto v = run_command(
      {kHydra, "validate", kSmoke, "--set", "subscribers.kafka.fetch.wait.max.ms=x"}, 30s);
  EXPECT_EQ(v.exit_code, 2) << v.err;
  EXPECT_NE(v.err.find("subscribers.kafka.fetch.wait.max.ms"), std::string::npos) << v.err;
  fs::remove_all(out);
}

TEST(HydraRun, UnreachableBrokerIsReportedOnceBeforeTheFirstStep) {
  const fs::path out = temp_dir("unreachable");
  // A loopback port nothing listens on: bind one, then close it.
  int port = 0;
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::close(fd);
  }
  const std::string bootstrap = "broker.bootstrap=127.0.0.1:" + std::to_string(port);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r =
      run_command({kHydra, "run", kSmoke, "--out", (out / "r").string(), "--set", bootstrap}, 30s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("plot"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "r" / "results.csv"));
  // validate starts nothing, and with --connect says the same, as bounded.
  EXPECT_EQ(run_command({kHydra, "validate", kSmoke, "--set", bootstrap}, 30s).exit_code, 0);
  const auto c = run_command({kHydra, "validate", kSmoke, "--connect", "--set", bootstrap}, 30s);
  EXPECT_EQ(c.exit_code, 1) << c.err;
  EXPECT_NE(c.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << c.err;
  fs::remove_all(out);
}

TEST(HydraRun, NonEmptyOutFolderIsRefusedUnlessForced) {
  const fs::path out = temp_dir("nonempty");
  std::ofstream(out / "results.csv") << "someone else's\n";
  const auto r = run_command({kHydra, "run", kSmoke, "--out", out.string()}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(out.string()), std::string::npos) << r.err;
  std::ifstream in(out / "results.csv");
  std::string kept;
  std::getline(in, kept);
  EXPECT_EQ(kept, "someone else's");
  fs::remove_all(out);
}

}  // namespace
}  // namespace hydra::test
