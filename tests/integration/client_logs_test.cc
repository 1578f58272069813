// `hydra run` as a user sees it when the cluster misbehaves or needs
// secrets: librdkafka's lines go to the results folder's logs/ with each
// client's id, the console gets one summary line per distinct client error,
// never a raw "%3|...|FAIL|" line; secrets never reach scenario.json, run.json
// or report.html; a bad security property stops the run before it starts.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kSmoke = std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The broker dies 3 s into a one-step run (in the measured window): every
// client loses it.
TEST(ClientLogs, BrokerThatGoesAwayIsSummarisedOnceAndLoggedPerClient) {
  const fs::path out = temp_dir("broker-gone");
  auto broker = start_background({kHydra, "broker"}, 20s);
  ASSERT_GT(broker.pid, 0);
  ASSERT_FALSE(broker.first_line.empty()) << "hydra broker printed no bootstrap line";
  std::thread killer([pid = broker.pid] {
    std::this_thread::sleep_for(3s);
    stop_background(pid, SIGKILL, 10s);
  });
  const auto r = run_command(
      {kHydra, "run", kSmoke, "--out", (out / "r").string(), "--set",
       "broker.bootstrap=" + broker.first_line, "--set",
       "topic.name=gone-" + std::to_string(getpid()), "--set", "sweep.publisher.rate=[500]",
       "--set", "duration_s=3", "--set", "drain_timeout_s=2", "--set", "control_timeout_s=3"},
      120s);
  killer.join();
  ASSERT_NE(r.exit_code, -1) << "hydra run did not finish in 120 s";
  const std::string console = r.out + r.err;
  // No raw librdkafka line anywhere on the console.
  EXPECT_EQ(console.find("%3|"), std::string::npos) << console;
  EXPECT_EQ(console.find("|FAIL|"), std::string::npos) << console;
  // One summary line per distinct error: none repeated, and the refused
  // connection of both subscriber clients is one line.
  std::set<std::string> summaries;
  for (const auto& l : lines_of(r.out)) {
    if (l.find(" clients: ") == std::string::npos || l.find("— see ") == std::string::npos)
      continue;
    EXPECT_TRUE(summaries.insert(l).second) << "repeated: " << l;
  }
  const std::string refused =
      "  sub clients: 2× Connection refused (broker " + broker.first_line + ") — see ";
  size_t refused_lines = 0;
  for (const auto& l : summaries) refused_lines += l.rfind(refused, 0) == 0;
  EXPECT_EQ(refused_lines, 1u) << r.out;
  // The agents' log files hold the lines, each naming its client.
  const std::string sub = slurp(out / "r" / "logs" / "sub-0.log");
  const std::string pub = slurp(out / "r" / "logs" / "pub-0.log");
  EXPECT_NE(sub.find(" kafka hydra-sub-0#consumer-"), std::string::npos) << sub;
  EXPECT_NE(sub.find(" kafka hydra-sub-1#consumer-"), std::string::npos) << sub;
  EXPECT_NE(sub.find(" error "), std::string::npos) << sub;
  EXPECT_NE(sub.find("Connection refused"), std::string::npos) << sub;
  EXPECT_NE(pub.find(" kafka hydra-pub-1#producer-"), std::string::npos) << pub;
  EXPECT_TRUE(fs::exists(out / "r" / "logs" / "controller.log"));
  fs::remove_all(out);
}

TEST(ClientLogs, SecretsAreMaskedInScenarioRunAndReport) {
  const fs::path out = temp_dir("secrets");
  const auto r = run_command(
      {kHydra, "run", kSmoke, "--out", (out / "r").string(), "--quiet", "--set",
       "sweep.publisher.rate=[500]", "--set", "duration_s=1", "--set", "warmup_s=0.5", "--set",
       "publisher.kafka.sasl.password=hunter2", "--set", "broker.kafka.ssl.key.password=k3yp4ss",
       "--set", "subscribers.kafka.ssl.keystore.password=s3cr3t"},
      120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const char* file : {"scenario.json", "run.json", "report.html"}) {
    SCOPED_TRACE(file);
    const std::string text = slurp(out / "r" / file);
    ASSERT_FALSE(text.empty());
    for (const char* secret : {"hunter2", "k3yp4ss", "s3cr3t"})
      EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    EXPECT_NE(text.find("***"), std::string::npos);
  }
  const std::string scenario = slurp(out / "r" / "scenario.json");
  EXPECT_NE(scenario.find("\"sasl.password\": \"***\""), std::string::npos) << scenario;
  EXPECT_NE(scenario.find("\"ssl.key.password\": \"***\""), std::string::npos) << scenario;
  fs::remove_all(out);
}

TEST(ClientLogs, BadSecurityPropertyIsRefusedBeforeTheFirstStep) {
  const fs::path out = temp_dir("badsec");
  const auto bad = run_command({kHydra, "run", kSmoke, "--out", (out / "a").string(), "--set",
                                "broker.kafka.security.protocol=sasl_tls"},
                               30s);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("broker.kafka.security.protocol"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(out / "a"));
  const auto missing = run_command({kHydra, "run", kSmoke, "--out", (out / "b").string(), "--set",
                                    "broker.kafka.security.protocol=ssl", "--set",
                                    "broker.kafka.ssl.ca.location=/nonexistent/hydra-ca.pem"},
                                   30s);
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("broker.kafka: "), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("ssl.ca.location"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(out / "b"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace hydra::test
