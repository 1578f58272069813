// Agents end to end on the embedded broker, driven over ZeroMQ the way the
// controller drives them: a publisher at 5,000 msg/s for 3 s and 3 subscriber
// clients in per-client groups. Every client must count exactly what the
// publisher had acknowledged, with no loss or duplicates; kcat must find the
// same number of messages on the topic; kcat's own messages are "foreign".
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "common/stats.h"
#include "harness/agent_client.h"
#include "harness/agent_launcher.h"
#include "harness/embedded_broker.h"
#include "subprocess.h"

namespace hydra {
namespace {

using namespace std::chrono_literals;
using proto::Command;

class AgentsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    log_dir_ =
        std::filesystem::temp_directory_path() / ("hydra-agents-e2e-" + std::to_string(getpid()));
    broker_ = std::make_unique<EmbeddedBroker>(1);
    broker_->create_topic("e2e", 2, 1);
    launcher_ = std::make_unique<AgentLauncher>(std::string(HYDRA_BIN_DIR) + "/hydra-agent",
                                                log_dir_.string());
    pub_agent_ = launcher_->spawn("pub", 10s);
    sub_agent_ = launcher_->spawn("sub", 10s);
    pub_ = std::make_unique<AgentClient>(ctx_, pub_agent_.endpoint);
    sub_ = std::make_unique<AgentClient>(ctx_, sub_agent_.endpoint);
  }
  void TearDown() override {
    launcher_.reset();  // kills the agents
    std::filesystem::remove_all(log_dir_);
  }

  Reply must(AgentClient& c, Command cmd, nlohmann::json body = nlohmann::json::object()) {
    Reply r = c.call(cmd, std::move(body), 20s);
    EXPECT_TRUE(r.ok) << proto::command_name(cmd) << ": " << r.error;
    return r;
  }

  // Subscriber stats with the window, once every client's count is stable.
  nlohmann::json drained_stats(const nlohmann::json& window, uint64_t want_each) {
    nlohmann::json body{{"window", window}};
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    nlohmann::json stats;
    while (std::chrono::steady_clock::now() < deadline) {
      stats = must(*sub_, Command::kStats, body).body;
      bool all = true;
      for (const auto& c : stats["clients"]) all &= c["unique"].get<uint64_t>() >= want_each;
      if (all) break;
      std::this_thread::sleep_for(100ms);
    }
    return stats;
  }

  zmq::context_t ctx_{1};
  std::filesystem::path log_dir_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<AgentLauncher> launcher_;
  LaunchedAgent pub_agent_, sub_agent_;
  std::unique_ptr<AgentClient> pub_, sub_;
};

TEST_F(AgentsE2E, PublisherToThreeClientsIsLosslessAndMatchesKcat) {
  const std::string bootstrap = broker_->bootstrap();
  must(*sub_, Command::kConfigure,
       {{"config",
         {{"bootstrap", bootstrap},
          {"topic", "e2e"},
          {"clients", 3},
          {"groups", "per-client"},
          {"group_prefix", "e2e-" + std::to_string(getpid())}}}});
  must(*sub_, Command::kStart);
  // Readiness barrier: every client assigned and positioned, bounded.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    const Reply st = must(*sub_, Command::kStatus);
    ready = st.body.value("ready", false);
    if (!ready) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(ready) << "subscriber clients never became ready";

  must(*pub_, Command::kConfigure,
       {{"config",
         {{"bootstrap", bootstrap},
          {"topic", "e2e"},
          {"partitions", 2},
          {"producer_id", 7},
          {"rate", 5000},
          {"message_size", 100},
          {"acks", 1}}}});
  must(*pub_, Command::kStart);
  std::this_thread::sleep_for(500ms);  // warm-up
  const Reply reset = must(*pub_, Command::kReset);
  const nlohmann::json from = nlohmann::json::array({reset.body["window"]});
  must(*sub_, Command::kReset, {{"window", from}});
  std::this_thread::sleep_for(3s);
  const Reply stop = must(*pub_, Command::kStop);
  const ProducerWindow window = ProducerWindow::from_json(stop.body["window"]);
  // 5,000 msg/s for 3 s; the open-loop schedule keeps the count close.
  EXPECT_NEAR(double(window.size()), 15000.0, 15000.0 * 0.05);

  const nlohmann::json pstats = must(*pub_, Command::kStats).body;
  const PublisherStats ps = PublisherStats::from_json(pstats["publisher"]);
  EXPECT_EQ(ps.sent, window.size());
  EXPECT_EQ(ps.acked, ps.sent);
  EXPECT_EQ(ps.failed, 0u);
  EXPECT_GT(ps.ack_latency.count(), 0u);
  EXPECT_GT(ps.ack_latency.percentile(50), 0);

  const nlohmann::json window_json = nlohmann::json::array({stop.body["window"]});
  const nlohmann::json sstats = drained_stats(window_json, ps.acked);
  ASSERT_EQ(sstats["clients"].size(), 3u);
  for (const auto& cj : sstats["clients"]) {
    const ClientStats c = ClientStats::from_json(cj);
    SCOPED_TRACE("client " + std::to_string(c.client_id));
    EXPECT_EQ(c.unique, ps.acked);
    EXPECT_EQ(c.lost, 0u);
    EXPECT_EQ(c.duplicates, 0u);
    EXPECT_EQ(c.reordered, 0u);
    EXPECT_EQ(c.foreign, 0u);
    EXPECT_EQ(c.latency.count(), c.unique);
    EXPECT_GT(c.latency.percentile(50), 0);
    EXPECT_GE(c.latency.percentile(99), c.latency.percentile(50));
    EXPECT_GT(c.first_recv_ns, 0);
    EXPECT_GE(c.last_recv_ns, c.first_recv_ns);
  }

  // kcat reads the whole topic: everything the publisher ever sent, warm-up
  // included (sequences start at 0 per partition, so that is sum of until).
  if (!test::have_program("kcat")) GTEST_SKIP() << "kcat not installed: topic count not checked";
  uint64_t total = 0;
  for (const auto& [p, until] : window.until) total += until;
  const auto c = test::run_command(
      {"kcat", "-C", "-b", bootstrap, "-t", "e2e", "-o", "beginning", "-e", "-q", "-f", "%p\n"},
      60s);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(uint64_t(std::count(c.out.begin(), c.out.end(), '\n')), total);

  // Messages without Hydra's header are counted as foreign by every client.
  const auto p = test::run_command({"kcat", "-P", "-b", bootstrap, "-t", "e2e", "-p", "0"}, 30s,
                                   "not hydra 1\nnot hydra 2\nnot hydra 3\nnot hydra 4\nx\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto fdeadline = std::chrono::steady_clock::now() + 15s;
  nlohmann::json fstats;
  bool all_five = false;
  while (!all_five && std::chrono::steady_clock::now() < fdeadline) {
    fstats = must(*sub_, Command::kStats, {{"window", window_json}}).body;
    all_five = true;
    for (const auto& cj : fstats["clients"]) all_five &= cj["foreign"].get<uint64_t>() >= 5;
    if (!all_five) std::this_thread::sleep_for(100ms);
  }
  for (const auto& cj : fstats["clients"]) {
    EXPECT_EQ(cj["foreign"].get<uint64_t>(), 5u);
    EXPECT_EQ(cj["unique"].get<uint64_t>(), ps.acked);  // foreign did not disturb the counts
  }
  must(*sub_, Command::kStop);
  must(*sub_, Command::kStop);  // idempotent
}

TEST_F(AgentsE2E, AgentAlwaysRepliesAndKeepsServing) {
  // Garbage and protocol errors get {"ok": false} with a reason; ping still works.
  zmq::socket_t raw(ctx_, zmq::socket_type::req);
  raw.set(zmq::sockopt::linger, 0);
  raw.set(zmq::sockopt::rcvtimeo, 5000);
  raw.connect(sub_agent_.endpoint);
  for (const std::string garbage :
       {std::string("\x01\x02\xff garbage"), std::string(""), std::string("[1,2]"),
        std::string("{\"cmd\": 3}"), std::string("{\"cmd\": \"fly\"}")}) {
    raw.send(zmq::buffer(garbage), zmq::send_flags::none);
    zmq::message_t reply;
    ASSERT_TRUE(raw.recv(reply, zmq::recv_flags::none)) << "no reply to: " << garbage;
    const auto j = nlohmann::json::parse(reply.to_string_view());
    EXPECT_FALSE(j["ok"].get<bool>()) << garbage;
    EXPECT_FALSE(j["error"].get<std::string>().empty()) << garbage;
  }
  Reply r = sub_->call(Command::kStart, 5s);
  EXPECT_TRUE(r.answered);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("configure"), std::string::npos) << r.error;
  r = pub_->call(Command::kConfigure, {{"config", {{"bootstrap", "x:1"}, {"rate", -1}}}}, 5s);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("rate"), std::string::npos) << r.error;
  r = sub_->call(Command::kPing, 5s);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.body.value("role", ""), "sub");
  r = pub_->call(Command::kShutdown, 5s);
  EXPECT_TRUE(r.ok);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (launcher_->alive(pub_agent_.pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(launcher_->alive(pub_agent_.pid)) << "shutdown should end the agent";
}

}  // namespace
}  // namespace hydra
