// The agent daemon (hydra-agent serve) on loopback, no root needed: the
// security rule, one controller at a time, the lease, clock offsets,
// CurveZMQ refusing the wrong key, and `hydra run` spreading clients over two
// daemons.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "harness/agent_client.h"
#include "harness/launcher_daemons.h"
#include "hosts_helpers.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

bool process_alive(int pid) {
  return fs::exists("/proc/" + std::to_string(pid)) &&
         slurp("/proc/" + std::to_string(pid) + "/stat").find(") Z") == std::string::npos;
}

TEST(AgentDaemon, RefusesAnAddressOffLoopbackWithoutKeysOrInsecure) {
  const RunResult r = run_command({kAgent, "serve", "--listen", "tcp://10.200.250.1:7700"}, 10s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("reachable from other hosts"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--insecure"), std::string::npos) << r.err;
  const RunResult agent =
      run_command({kAgent, "--role", "sub", "--control", "tcp://10.200.250.1:0"}, 10s);
  EXPECT_EQ(agent.exit_code, 2);
  EXPECT_NE(agent.err.find("reachable from other hosts"), std::string::npos) << agent.err;
}

TEST(AgentDaemon, ServesOneControllerAtATimeAndStopsAgentsWhenItGoesAway) {
  const fs::path dir = temp_dir("lease");
  DaemonProc d = start_daemon({}, {"--listen", "tcp://127.0.0.1:0"}, dir / "daemon.log");
  ASSERT_EQ(d.endpoint.rfind("tcp://127.0.0.1:", 0), 0u) << slurp(d.log);
  zmq::context_t ctx(1);
  AgentClient a(ctx, d.endpoint), b(ctx, d.endpoint);
  const Reply hello = a.call_named("hello", {{"controller", "A"}, {"lease_ms", 600}}, 5s);
  ASSERT_TRUE(hello.ok) << hello.error;
  const std::string session = hello.body["session"];
  const Reply busy = b.call_named("hello", {{"controller", "B"}, {"lease_ms", 600}}, 5s);
  EXPECT_TRUE(busy.answered);
  EXPECT_FALSE(busy.ok);
  EXPECT_NE(busy.error.find("busy: this daemon serves controller A"), std::string::npos)
      << busy.error;
  EXPECT_FALSE(b.call_named("spawn", {{"session", "guess"}, {"role", "sub"}}, 5s).ok);

  const Reply spawn = a.call_named("spawn", {{"session", session}, {"role", "sub"}}, 10s);
  ASSERT_TRUE(spawn.ok) << spawn.error;
  const int pid = spawn.body["pid"];
  AgentClient agent(ctx, spawn.body["endpoint"]);
  EXPECT_TRUE(agent.call(proto::Command::kPing, 5s).ok);
  // A goes quiet: after its lease the daemon stops A's agent and takes B.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (process_alive(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(process_alive(pid)) << "the agent outlived its controller's lease";
  EXPECT_TRUE(b.call_named("hello", {{"controller", "B"}, {"lease_ms", 5000}}, 5s).ok);
  EXPECT_NE(slurp(d.log).find("controller A: went away"), std::string::npos) << slurp(d.log);
  d.stop();
}

TEST(AgentDaemon, ClockOffsetIsMeasuredWithinAMillisecond) {
  const fs::path dir = temp_dir("clock");
  DaemonProc d = start_daemon({}, {"--listen", "tcp://127.0.0.1:0", "--test-clock-offset-ms", "40"},
                              dir / "daemon.log");
  ASSERT_FALSE(d.endpoint.empty()) << slurp(d.log);
  zmq::context_t ctx(1);
  AgentClient c(ctx, d.endpoint);
  const ClockOffset off = DaemonLauncher::measure_clock(c, 16, 5s);
  EXPECT_NEAR(off.offset_ms, 40.0, 1.0);
  EXPECT_LT(off.uncertainty_ms, 1.0);
  EXPECT_GE(off.uncertainty_ms, 0.0);
  d.stop();
}

TEST(AgentDaemon, CurveRefusesAControllerWithTheWrongKey) {
  const fs::path dir = temp_dir("curve");
  for (const char* name : {"ctl", "daemon", "other"})
    ASSERT_EQ(run_command({kHydra, "keys", "--out", dir.string(), "--name", name}, 10s).exit_code,
              0);
  DaemonProc d =
      start_daemon({},
                   {"--listen", "tcp://127.0.0.1:0", "--key", (dir / "daemon.key").string(),
                    "--allow", (dir / "ctl.pub").string()},
                   dir / "daemon.log");
  ASSERT_FALSE(d.endpoint.empty()) << slurp(d.log);
  const std::string server = curve::read_public_key((dir / "daemon.pub").string());
  zmq::context_t ctx(1);
  AgentClient wrong(ctx, d.endpoint,
                    ClientAuth{curve::read_key_file((dir / "other.key").string()), server});
  const Reply refused = wrong.call_named("hello", {{"controller", "intruder"}}, 1500ms);
  EXPECT_FALSE(refused.answered);
  AgentClient plain(ctx, d.endpoint);
  EXPECT_FALSE(plain.call_named("hello", {{"controller", "plain"}}, 1000ms).answered);
  EXPECT_NE(slurp(d.log).find("refused a control connection"), std::string::npos) << slurp(d.log);

  const ClientAuth right{curve::read_key_file((dir / "ctl.key").string()), server};
  AgentClient ok(ctx, d.endpoint, right);
  const Reply hello = ok.call_named("hello", {{"controller", "ctl"}}, 5s);
  ASSERT_TRUE(hello.ok) << hello.error;
  // The agents it starts are CURVE servers with the same keys.
  const Reply spawn =
      ok.call_named("spawn", {{"session", hello.body["session"]}, {"role", "pub"}}, 10s);
  ASSERT_TRUE(spawn.ok) << spawn.error;
  AgentClient agent(ctx, spawn.body["endpoint"], right);
  EXPECT_TRUE(agent.call(proto::Command::kPing, 5s).ok);
  AgentClient agent_wrong(ctx, spawn.body["endpoint"],
                          ClientAuth{curve::read_key_file((dir / "other.key").string()), server});
  EXPECT_FALSE(agent_wrong.call(proto::Command::kPing, 1000ms).answered);
  d.stop();
}

TEST(AgentDaemon, HydraRunSpreadsClientsOverTwoDaemons) {
  const fs::path dir = temp_dir("run");
  DaemonProc d1 = start_daemon({}, {"--listen", "tcp://127.0.0.1:0"}, dir / "d1.log");
  DaemonProc d2 = start_daemon({}, {"--listen", "tcp://127.0.0.1:0"}, dir / "d2.log");
  ASSERT_FALSE(d1.endpoint.empty() || d2.endpoint.empty());
  const json sc = {{"name", "hosts-loopback"},
                   {"duration_s", 2},
                   {"warmup_s", 1},
                   {"control_timeout_s", 5},
                   {"publisher", {{"rate", 300}}},
                   {"subscribers", {{"clients", 4}, {"clients_per_agent", 1}}},
                   // A share no real uncertainty stays under: the check must flag it.
                   {"agents",
                    {{"clock_share", 1e-6},
                     {"hosts",
                      {{{"endpoint", d1.endpoint}, {"roles", {"pub", "sub"}}},
                       {{"endpoint", d2.endpoint}, {"roles", {"sub"}}}}}}}};
  std::ofstream(dir / "s.json") << sc.dump(2);
  const RunResult r = run_command(
      {kHydra, "run", (dir / "s.json").string(), "--out", (dir / "out").string(), "--quiet"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(dir / "out" / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "ok");
  EXPECT_EQ(rows[0].at("lost"), "0");
  EXPECT_EQ(rows[0].at("hosts"), "2");
  const json step = first_step_json(dir / "out");
  ASSERT_TRUE(step.contains("hosts")) << step.dump();
  EXPECT_EQ(step["hosts"][d1.endpoint]["clients"], json({0, 2}));
  EXPECT_EQ(step["hosts"][d2.endpoint]["clients"], json({1, 3}));
  EXPECT_EQ(step["hosts"][d1.endpoint]["agents"][0]["role"], "pub");
  EXPECT_TRUE(step["hosts"][d2.endpoint].contains("cpu_pct"));
  EXPECT_TRUE(step["hosts"][d2.endpoint].contains("clock_offset_ms"));
  EXPECT_EQ(step["hosts_clock"]["flagged"], true) << step["hosts_clock"];
  EXPECT_NE(step["note"].get<std::string>().find("clock: tcp://127.0.0.1:"), std::string::npos)
      << step["note"];
  // The run is over: both daemons stopped its agents and are free again.
  zmq::context_t ctx(1);
  AgentClient next(ctx, d1.endpoint);
  EXPECT_TRUE(next.call_named("hello", {{"controller", "next"}}, 5s).ok);
  d1.stop();
  d2.stop();
}

}  // namespace
}  // namespace hydra::test

namespace hydra::test {
namespace {

using namespace std::chrono_literals;

// An API server that knows no objects: every request gets 404 NotFound, which
// is what `kubectl apply --dry-run=client` needs to print what it would make.
// (Discovery comes from a cache folder the test writes.)
class NotFoundServer {
 public:
  NotFoundServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~NotFoundServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  int requests() const { return requests_; }

 private:
  void serve() {
    const std::string body =
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"NotFound","code":404})";
    const std::string reply =
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 2000) <= 0) break;
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, size_t(n));
      }
      ++requests_;
      (void)!write(c, reply.data(), reply.size());
      close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

void write_discovery_cache(const fs::path& dir, int port) {
  const fs::path d = dir / "discovery" / ("127.0.0.1_" + std::to_string(port));
  auto group = [](const std::string& name, const std::string& gv) {
    return nlohmann::json{{"name", name},
                          {"versions", {{{"groupVersion", gv}, {"version", "v1"}}}},
                          {"preferredVersion", {{"groupVersion", gv}, {"version", "v1"}}}};
  };
  auto resources = [](const std::string& gv, nlohmann::json list) {
    nlohmann::json out = {
        {"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", gv}, {"resources", {}}};
    for (auto& r : list)
      out["resources"].push_back({{"name", r[0]},
                                  {"singularName", r[1]},
                                  {"namespaced", true},
                                  {"kind", r[2]},
                                  {"verbs", {"create", "get", "patch"}}});
    return out;
  };
  fs::create_directories(d / "v1");
  fs::create_directories(d / "apps" / "v1");
  fs::create_directories(d / "batch" / "v1");
  std::ofstream(d / "servergroups.json") << nlohmann::json{
      {"kind", "APIGroupList"},
      {"apiVersion", "v1"},
      {"groups",
       {group("", "v1"), group("apps", "apps/v1"),
        group("batch", "batch/v1")}}}.dump();
  std::ofstream(d / "v1" / "serverresources.json")
      << resources("v1",
                   {{"configmaps", "configmap", "ConfigMap"}, {"services", "service", "Service"}})
             .dump();
  std::ofstream(d / "apps" / "v1" / "serverresources.json")
      << resources("apps/v1", {{"statefulsets", "statefulset", "StatefulSet"}}).dump();
  std::ofstream(d / "batch" / "v1" / "serverresources.json")
      << resources("batch/v1", {{"jobs", "job", "Job"}}).dump();
}

TEST(KubernetesManifests, ApplyDryRunMakesTheAgentsServiceScenarioAndController) {
  if (!have_program("kubectl")) GTEST_SKIP() << "kubectl not installed (apt-get install kubectl)";
  const fs::path dir = temp_dir("kube");
  NotFoundServer api;
  write_discovery_cache(dir / "cache", api.port());
  const RunResult r = run_command(
      {"kubectl", "apply", "--dry-run=client", "--validate=false", "--server",
       "http://127.0.0.1:" + std::to_string(api.port()), "--cache-dir", (dir / "cache").string(),
       "-f", std::string(HYDRA_SOURCE_DIR) + "/deploy/kubernetes/"},
      60s, "", {"KUBECONFIG=/dev/null", "HOME=" + dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* made :
       {"configmap/hydra-scenario created (dry run)", "service/hydra-agents created (dry run)",
        "statefulset.apps/hydra-agent created (dry run)",
        "job.batch/hydra-controller created (dry run)"})
    EXPECT_NE(r.out.find(made), std::string::npos) << made << "\n" << r.out;
  EXPECT_GT(api.requests(), 0);  // it asked the (fake) server for each object
}

TEST(KubernetesManifests, TheConfigMapsScenarioIsValidAndFindsDaemonsByDns) {
  // The scenario block of the ConfigMap, unindented.
  std::ifstream in(std::string(HYDRA_SOURCE_DIR) + "/deploy/kubernetes/00-scenario.yaml");
  std::string line, json_text;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.find("scenario.json: |") != std::string::npos) {
      inside = true;
      continue;
    }
    if (inside) json_text += (line.size() > 4 ? line.substr(4) : "") + "\n";
  }
  const nlohmann::json sc = nlohmann::json::parse(json_text);
  EXPECT_EQ(sc["agents"]["hosts_from_dns"], "hydra-agents.default.svc.cluster.local:7700");
  const fs::path dir = temp_dir("kube-scenario");
  std::ofstream(dir / "s.json") << json_text;
  const RunResult r = run_command({kHydra, "validate", (dir / "s.json").string()}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace hydra::test
