// Many hosts across real network boundaries: three network namespaces made by
// the test (a controller "host" and two agent hosts, joined by veth pairs with
// addresses in 10.200.x.0/24 that exist only inside them), hydra-agent serve
// in each agent host, the embedded broker listening on the controller side's
// veth address, and `hydra run` inside the controller's namespace. Needs root
// (ip netns); skipped with the reason otherwise. Namespaces carry the test's
// pid in their names and are removed at the end, failed or not; no traffic
// leaves them.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <thread>

#include "hosts_helpers.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kPid = std::to_string(getpid());
const std::string kCtl = "hyc" + kPid, kH1 = "hy1" + kPid, kH2 = "hy2" + kPid;
const std::string kCtlAddr1 = "10.200.1.1", kH1Addr = "10.200.1.2";
const std::string kCtlAddr2 = "10.200.2.1", kH2Addr = "10.200.2.2";

bool sh(const std::string& script, std::string* err = nullptr) {
  const RunResult r = run_command({"sh", "-ec", script}, 20s);
  if (err) *err = r.err;
  return r.exit_code == 0;
}

std::vector<std::string> in_ns(const std::string& ns) {
  return {"ip", "netns", "exec", ns};
}

// Waits for a background process (bounded); its exit code, -1 when killed.
int wait_exit(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(50ms);
  }
  ::kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

class NetnsHosts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0) {
      skip_ = "needs root to make network namespaces (ip netns); not root here";
      return;
    }
    std::string err;
    if (!sh("ip netns add " + kCtl, &err)) {
      skip_ = "ip netns add failed: " + err;
      return;
    }
    made_ = true;
    const std::string script =
        "ip netns add " + kH1 + "; ip netns add " + kH2 + "\n" +
        "for i in 1 2; do\n"
        "  h=hy${i}" +
        kPid + "; c=vc${i}" + kPid + "; v=vh${i}" + kPid +
        "\n"
        "  ip link add $c type veth peer name $v\n"
        "  ip link set $c netns " +
        kCtl +
        "; ip link set $v netns $h\n"
        "  ip -n " +
        kCtl + " addr add 10.200.$i.1/24 dev $c; ip -n " + kCtl +
        " link set $c up\n"
        "  ip -n $h addr add 10.200.$i.2/24 dev $v; ip -n $h link set $v up\n"
        "  ip -n $h link set lo up; ip -n $h route add default via 10.200.$i.1\n"
        "done\n"
        "ip -n " +
        kCtl + " link set lo up\n";
    // Root and ip netns work: a setup that fails now is a failure, not a skip.
    if (!sh(script, &err)) broken_ = "could not set up namespaces and veth pairs: " + err;
    dir_ = temp_dir("netns");
  }

  static void TearDownTestSuite() {
    for (auto* d : {&d1_, &d2_}) d->kill_hard();
    if (!made_) return;
    // Whatever still runs in them (a daemon a failed test left) goes first.
    sh("for ns in " + kCtl + " " + kH1 + " " + kH2 +
       "; do for p in $(ip netns pids $ns 2>/dev/null); do kill -9 $p; done; "
       "ip netns del $ns 2>/dev/null || true; done; rm -rf /etc/netns/" +
       kCtl);
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(broken_.empty()) << broken_;
  }

  // The two insecure daemons most tests use; h2's clock is 100 ms ahead.
  static void start_daemons() {
    if (d1_.pid < 0)
      d1_ = start_daemon(in_ns(kH1), {"--listen", "tcp://" + kH1Addr + ":7700", "--insecure"},
                         dir_ / "d1.log");
    if (d2_.pid < 0)
      d2_ = start_daemon(
          in_ns(kH2),
          {"--listen", "tcp://" + kH2Addr + ":7700", "--insecure", "--test-clock-offset-ms", "100"},
          dir_ / "d2.log");
  }

  static json scenario(double duration_s, int clients) {
    return {{"name", "hosts-netns"},
            {"duration_s", duration_s},
            {"warmup_s", 1},
            {"control_timeout_s", 2},
            {"broker", {{"embedded", {{"listen", kCtlAddr1}}}}},
            {"publisher", {{"rate", 500}}},
            {"subscribers", {{"clients", clients}, {"clients_per_agent", 1}}},
            {"agents",
             {{"insecure", true},
              {"hosts",
               {{{"endpoint", "tcp://" + kH1Addr + ":7700"}, {"roles", {"pub", "sub"}}},
                {{"endpoint", "tcp://" + kH2Addr + ":7700"}, {"roles", {"sub"}}}}}}}};
  }

  static RunResult run_in_ctl(const json& sc, const std::string& name,
                              const std::vector<std::string>& env = {}) {
    std::ofstream(dir_ / (name + ".json")) << sc.dump(2);
    auto argv = in_ns(kCtl);
    for (const auto& a : {kHydra, std::string("run"), (dir_ / (name + ".json")).string(),
                          std::string("--out"), (dir_ / name).string(), std::string("--quiet")})
      argv.push_back(a);
    return run_command(argv, 60s, "", env);
  }

  static inline std::string skip_, broken_;
  static inline bool made_ = false;
  static inline fs::path dir_;
  static inline DaemonProc d1_, d2_;
};

TEST_F(NetnsHosts, ClientsRunWhereTheScenarioPutsThemLosslessWithTheSkewCorrected) {
  start_daemons();
  ASSERT_EQ(d1_.endpoint, "tcp://" + kH1Addr + ":7700") << slurp(d1_.log);
  ASSERT_EQ(d2_.endpoint, "tcp://" + kH2Addr + ":7700") << slurp(d2_.log);
  const RunResult r = run_in_ctl(scenario(3, 4), "spread");
  ASSERT_EQ(r.exit_code, 0) << r.err << slurp(d1_.log) << slurp(d2_.log);
  const auto rows = read_csv(dir_ / "spread" / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "ok");
  EXPECT_EQ(rows[0].at("lost"), "0");
  EXPECT_EQ(rows[0].at("hosts"), "2");
  const json step = first_step_json(dir_ / "spread");
  const json& h1 = step["hosts"]["tcp://" + kH1Addr + ":7700"];
  const json& h2 = step["hosts"]["tcp://" + kH2Addr + ":7700"];
  EXPECT_EQ(h1["clients"], json({0, 2}));
  EXPECT_EQ(h2["clients"], json({1, 3}));
  EXPECT_EQ(h1["agents"][0]["role"], "pub");
  // The injected skew is measured within 1 ms, and the unskewed host's
  // offset is near zero.
  EXPECT_NEAR(h2["clock_offset_ms"].get<double>(), 100.0, 1.0);
  EXPECT_NEAR(h1["clock_offset_ms"].get<double>(), 0.0, 1.0);
  EXPECT_LT(h2["clock_uncertainty_ms"].get<double>(), 1.0);
  EXPECT_EQ(step["hosts_clock"]["flagged"], false) << step["hosts_clock"];
  // Corrected: h2's clients would see every message 100 ms late otherwise,
  // so p90 (over four clients, two on h2) would be over 100 ms.
  EXPECT_LT(std::stod(rows[0].at("lat_p90_ms")), 50.0);
  for (const auto& c : step["clients"]) EXPECT_EQ(c["lost"], 0) << c["client_id"];
  // Each agent host carried the stream: its network counters moved.
  EXPECT_GT(h2.value("net_rx_bytes", 0.0), 0.0);
  std::cout << "[ figures ] lat_p50_ms " << rows[0].at("lat_p50_ms") << ", rx_rate "
            << rows[0].at("rx_rate") << ", h2 clock offset " << h2["clock_offset_ms"] << " ± "
            << h2["clock_uncertainty_ms"] << " ms (injected 100)\n";
}

TEST_F(NetnsHosts, KillingOneHostsDaemonMidStepFailsOnlyItsClients) {
  start_daemons();
  const json sc = scenario(6, 4);
  std::ofstream(dir_ / "kill.json") << sc.dump(2);
  auto argv = in_ns(kCtl);
  for (const auto& a : {kHydra, std::string("run"), (dir_ / "kill.json").string(),
                        std::string("--out"), (dir_ / "kill").string(), std::string("--quiet")})
    argv.push_back(a);
  const Background run = start_background(argv, 100ms);
  // Inside the measured window: connect, spawn, barrier and 1 s of warm-up
  // take about 2-3 s of the 9 the step lasts.
  std::this_thread::sleep_for(4500ms);
  d2_.kill_hard();  // its agents die with it (they exit with their parent)
  const int rc = wait_exit(run.pid, 45s);
  EXPECT_EQ(rc, 1);
  const auto rows = read_csv(dir_ / "kill" / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "failed");
  const json step = first_step_json(dir_ / "kill");
  EXPECT_EQ(step["unanswered_clients"], json({1, 3}));
  std::vector<int> answered;
  for (const auto& c : step["clients"]) {
    answered.push_back(c["client_id"]);
    EXPECT_EQ(c["lost"], 0) << "client " << c["client_id"] << " on the surviving host";
  }
  EXPECT_EQ(answered, std::vector<int>({0, 2}));
  EXPECT_EQ(step["hosts"]["tcp://" + kH2Addr + ":7700"].value("alive", true), false);
}

TEST_F(NetnsHosts, CurveRefusesTheWrongControllerKeyAndAcceptsTheRightOne) {
  const fs::path keys = dir_ / "keys";
  for (const char* name : {"ctl", "daemon", "other"})
    ASSERT_EQ(run_command({kHydra, "keys", "--out", keys.string(), "--name", name}, 10s).exit_code,
              0);
  DaemonProc d =
      start_daemon(in_ns(kH1),
                   {"--listen", "tcp://" + kH1Addr + ":7701", "--key",
                    (keys / "daemon.key").string(), "--allow", (keys / "ctl.pub").string()},
                   dir_ / "curve.log");
  ASSERT_EQ(d.endpoint, "tcp://" + kH1Addr + ":7701") << slurp(d.log);
  json sc = scenario(1, 2);
  sc["agents"] = {{"key", (keys / "other.key").string()},
                  {"server_key", (keys / "daemon.pub").string()},
                  {"hosts", {{{"endpoint", "tcp://" + kH1Addr + ":7701"}}}}};
  const RunResult wrong = run_in_ctl(sc, "curve-wrong");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("agent daemon tcp://" + kH1Addr + ":7701"), std::string::npos)
      << wrong.err;
  EXPECT_NE(slurp(d.log).find("refused a control connection"), std::string::npos) << slurp(d.log);
  sc["agents"]["key"] = (keys / "ctl.key").string();
  const RunResult right = run_in_ctl(sc, "curve-right");
  EXPECT_EQ(right.exit_code, 0) << right.err << slurp(d.log);
  d.stop();
}

// What the Kubernetes manifests rely on: the daemons found from one DNS name
// with an A record per daemon (a headless Service). Inside the controller's
// namespace `ip netns exec` reads /etc/netns/NAME/hosts as /etc/hosts.
TEST_F(NetnsHosts, DaemonsAreFoundFromEveryARecordOfOneName) {
  start_daemons();
  fs::create_directories("/etc/netns/" + kCtl);
  std::ofstream("/etc/netns/" + kCtl + "/hosts")
      << "127.0.0.1 localhost\n"
      << kH1Addr << " hydra-agents.default.svc.cluster.local\n"
      << kH2Addr << " hydra-agents.default.svc.cluster.local\n";
  json sc = scenario(1, 2);
  sc["agents"] = {{"insecure", true},
                  {"hosts_from_dns", "hydra-agents.default.svc.cluster.local:7700"}};
  const RunResult r = run_in_ctl(sc, "dns");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json step = first_step_json(dir_ / "dns");
  // json::array: with clang, json({0}) is null (0 is a null pointer constant).
  EXPECT_EQ(step["hosts"]["tcp://" + kH1Addr + ":7700"]["clients"], json::array({0}));
  EXPECT_EQ(step["hosts"]["tcp://" + kH2Addr + ":7700"]["clients"], json::array({1}));
}

TEST_F(NetnsHosts, SshLauncherStartsAndStopsTheDaemons) {
  // A stand-in for ssh: its first argument names the namespace to run in.
  const fs::path fake = dir_ / "fake-ssh";
  std::ofstream(fake) << "#!/bin/sh\nhost=\"$1\"; shift\nexec ip netns exec \"$host\" \"$@\"\n";
  fs::permissions(fake, fs::perms::owner_all);
  json sc = scenario(1, 2);
  sc["agents"] = {
      {"launcher", "ssh"},
      {"insecure", true},
      {"remote_agent", kAgent},
      {"hosts",
       {{{"endpoint", "tcp://" + kH1Addr + ":7702"}, {"ssh", kH1}, {"serve_args", {"--insecure"}}},
        {{"endpoint", "tcp://" + kH2Addr + ":7702"},
         {"ssh", kH2},
         {"roles", {"sub"}},
         {"serve_args", {"--insecure"}}}}}};
  const RunResult r = run_in_ctl(sc, "ssh", {"HYDRA_SSH=" + fake.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_csv(dir_ / "ssh" / "results.csv").at(0).at("hosts"), "2");
  // The daemons went with the run.
  const RunResult pids =
      run_command({"sh", "-c",
                   "for p in $(ip netns pids " + kH1 + ") $(ip netns pids " + kH2 +
                       "); do tr '\\0' ' ' < /proc/$p/cmdline; echo; done"},
                  10s);
  EXPECT_EQ(pids.out.find(":7702"), std::string::npos) << pids.out;
}

}  // namespace
}  // namespace hydra::test
