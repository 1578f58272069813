// hydra::ControlServer: the JSON control protocol, first through handle()
// without sockets, then over a real ZeroMQ REQ socket to a served server. The
// role is a Publisher on a FakeProducer, so configure/start/stop do real work
// without a broker. Every bad request must get {"ok": false, "error": ...}
// naming what was wrong, and the server must keep serving after it.
#include "agents/control_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "agents/publisher.h"
#include "common/clock.h"
#include "common/protocol.h"
#include "fake_drivers.h"

namespace hydra {
namespace {

using nlohmann::json;
using test::FakeProducerFactory;
using test::wait_for;

const json kGoodConfig = {{"bootstrap", "fake:9092"}, {"topic", "t"}, {"partitions", 2},
                          {"producer_id", 3},         {"rate", 1000}, {"message_size", 64}};

json configure_with(const json& overrides) {
  json c = kGoodConfig;
  if (!overrides.is_null()) c.update(overrides);
  return {{"cmd", "configure"}, {"config", c}};
}

// A bad request and a piece of text its error must contain.
struct BadRequest {
  std::string frame;
  std::string error_names;
};

std::vector<BadRequest> bad_requests() {
  return {
      {std::string("\x00\xff\xfe garbage \x80", 13), "not JSON"},
      {"", "not JSON"},
      {"{\"cmd\": \"ping\"", "not JSON"},
      {"[\"ping\"]", "not a JSON object"},
      {"\"ping\"", "not a JSON object"},
      {"{}", "\"cmd\""},
      {"{\"command\": \"ping\"}", "\"cmd\""},
      {"{\"cmd\": 1}", "\"cmd\""},
      {"{\"cmd\": null}", "\"cmd\""},
      {"{\"cmd\": \"fly\"}", "unknown command \"fly\""},
      {"{\"cmd\": \"PING\"}", "unknown command"},
      {"{\"cmd\": \"configure\"}", "\"config\""},
      {"{\"cmd\": \"start\"}", "not configured"},
      {"{\"cmd\": \"reset\"}", "not configured"},
      {configure_with({{"rate", -1}}).dump(), "config.rate"},
      {configure_with({{"acks", 7}}).dump(), "config.acks"},
      {configure_with({{"message_size", 10}}).dump(), "config.message_size"},
      {configure_with({{"colour", "blue"}}).dump(), "config.colour"},
      {configure_with({{"partitions", "two"}}).dump(), "config.partitions"},
      {json{{"cmd", "configure"}, {"config", json::array()}}.dump(), "config"},
      {json{{"cmd", "configure"}, {"config", {{"rate", 5}}}}.dump(), "config.bootstrap"},
  };
}

// Checks an error reply: valid JSON, ok false, an error naming `names`.
void expect_error(const std::string& reply, const std::string& names, const std::string& frame) {
  const json r = json::parse(reply, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << "reply is not JSON: " << reply;
  EXPECT_EQ(r.value("ok", true), false) << "request " << frame << " got " << reply;
  ASSERT_TRUE(r.contains("error") && r["error"].is_string()) << reply;
  EXPECT_NE(r["error"].get<std::string>().find(names), std::string::npos)
      << "request " << json(frame).dump(-1, ' ', false, json::error_handler_t::replace)
      << ": error \"" << r["error"].get<std::string>() << "\" does not name " << names;
}

json ok_body(const std::string& reply) {
  json r = json::parse(reply, nullptr, false);
  EXPECT_FALSE(r.is_discarded()) << reply;
  EXPECT_EQ(r.value("ok", false), true) << reply;
  return r;
}

class ControlServerTest : public ::testing::Test {
 protected:
  std::string handle(const std::string& frame, bool* shutdown = nullptr) {
    bool sd = false;
    std::string reply = server.handle(frame, &sd);
    if (shutdown)
      *shutdown = sd;
    else
      EXPECT_FALSE(sd) << frame;
    return reply;
  }

  SystemClock clock;
  FakeProducerFactory fakes;
  Publisher pub{fakes.drivers(), clock};
  ControlServer server{pub, "tcp://127.0.0.1:0"};
};

TEST_F(ControlServerTest, BindsAnEphemeralPort) {
  const std::string ep = server.endpoint();
  EXPECT_EQ(ep.rfind("tcp://127.0.0.1:", 0), 0u) << ep;
  EXPECT_NE(ep, "tcp://127.0.0.1:0") << "the port is filled in";
}

TEST_F(ControlServerTest, PingAnswersPongWithRoleAndState) {
  json r = ok_body(handle("{\"cmd\": \"ping\"}"));
  EXPECT_EQ(r.value("pong", false), true);
  EXPECT_EQ(r.value("role", ""), "pub");
  EXPECT_EQ(r.value("version", 0), proto::kProtocolVersion);
  EXPECT_EQ(r.value("pid", 0), int(getpid()));
  EXPECT_EQ(r.value("state", ""), "idle");
  ok_body(handle(configure_with({}).dump()));
  EXPECT_EQ(ok_body(handle(proto::make_request(proto::Command::kPing))).value("state", ""),
            "configured");
}

TEST_F(ControlServerTest, EveryBadRequestGetsAnErrorNamingTheProblem) {
  for (const auto& bad : bad_requests()) {
    expect_error(handle(bad.frame), bad.error_names, bad.frame);
    // ... and the server still answers the next request.
    EXPECT_EQ(ok_body(handle("{\"cmd\": \"ping\"}")).value("pong", false), true)
        << "after " << bad.frame;
  }
  EXPECT_EQ(pub.state(), proto::AgentState::kIdle) << "no bad request changed the role";
  EXPECT_EQ(fakes.made(), 0);
}

TEST_F(ControlServerTest, ALifecycleThroughHandle) {
  ok_body(handle(configure_with({}).dump()));
  ok_body(handle("{\"cmd\": \"start\"}"));
  FakeProducerFactory& f = fakes;
  ASSERT_TRUE(wait_for([&] { return f.last()->sent_count() >= 10; }));
  json reset = ok_body(handle("{\"cmd\": \"reset\"}"));
  EXPECT_TRUE(reset.contains("window"));
  json status = ok_body(handle("{\"cmd\": \"status\"}"));
  EXPECT_EQ(status.value("state", ""), "running");
  EXPECT_EQ(status.value("ready", false), true);
  json stats = ok_body(handle("{\"cmd\": \"stats\", \"histograms\": false}"));
  EXPECT_EQ(stats.value("role", ""), "pub");
  EXPECT_FALSE(stats.at("publisher").contains("send_delay")) << "the request body reaches stats";
  // A bad configure while running is refused, and the run goes on.
  expect_error(handle(configure_with({}).dump()), "running", "configure while running");
  json stop = ok_body(handle("{\"cmd\": \"stop\"}"));
  const ProducerWindow w = ProducerWindow::from_json(stop.at("window"));
  EXPECT_EQ(w.producer_id, 3u);
  EXPECT_EQ(w.from, ProducerWindow::from_json(reset.at("window")).from);
  EXPECT_EQ(ok_body(handle("{\"cmd\": \"stop\"}")).at("window"), stop.at("window"))
      << "stop is idempotent";
}

TEST_F(ControlServerTest, ShutdownStopsTheRoleAndSaysSo) {
  ok_body(handle(configure_with({}).dump()));
  ok_body(handle("{\"cmd\": \"start\"}"));
  bool shutdown = false;
  ok_body(handle("{\"cmd\": \"shutdown\"}", &shutdown));
  EXPECT_TRUE(shutdown);
  EXPECT_EQ(pub.state(), proto::AgentState::kStopped);
  EXPECT_EQ(fakes.last()->flush_calls(), 1) << "stopping flushed the producer";
}

// ---------------------------------------------------------------- over ZeroMQ

// A served ControlServer on a thread, and a REQ socket to it. Every receive
// has a timeout, so a server that does not answer fails the test instead of
// hanging it.
class ServedControlServerTest : public ControlServerTest {
 protected:
  void SetUp() override {
    serving = std::thread([this] {
      try {
        server.serve(stop);
      } catch (const std::exception& e) {
        serve_error = e.what();
      }
      served.store(true);
    });
    req.set(zmq::sockopt::linger, 0);
    req.set(zmq::sockopt::rcvtimeo, 5000);
    req.set(zmq::sockopt::sndtimeo, 5000);
    req.connect(server.endpoint());
  }
  void TearDown() override {
    stop.store(true);  // serve() checks it at least every 200 ms
    serving.join();
    EXPECT_TRUE(serve_error.empty()) << serve_error;
  }

  // One request/reply round trip; nullopt when no reply came within 5 s.
  std::optional<std::string> call(const std::vector<std::string>& parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto flags = i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (!req.send(zmq::buffer(parts[i]), flags)) return std::nullopt;
    }
    zmq::message_t reply;
    if (!req.recv(reply, zmq::recv_flags::none)) return std::nullopt;
    return reply.to_string();
  }
  std::string call_ok(const std::string& frame) {
    auto r = call({frame});
    EXPECT_TRUE(r.has_value()) << "no reply to " << frame << " within 5 s";
    return r.value_or("{}");
  }

  std::atomic<bool> stop{false};
  std::atomic<bool> served{false};
  std::string serve_error;
  std::thread serving;
  zmq::context_t ctx{1};
  zmq::socket_t req{ctx, zmq::socket_type::req};
};

TEST_F(ServedControlServerTest, AnswersEveryBadRequestAndKeepsServing) {
  for (const auto& bad : bad_requests()) {
    auto reply = call({bad.frame});
    ASSERT_TRUE(reply.has_value())
        << "no reply to " << json(bad.frame).dump(-1, ' ', false, json::error_handler_t::replace);
    expect_error(*reply, bad.error_names, bad.frame);
  }
  json r = ok_body(call_ok("{\"cmd\": \"ping\"}"));
  EXPECT_EQ(r.value("role", ""), "pub");
  EXPECT_FALSE(served.load());
}

// 100 MB in frames each under ZeroMQ's per-message limit: an error reply
// naming the size, and the agent goes on serving.
TEST_F(ServedControlServerTest, AHundredMegabyteRequestGetsAnErrorReply) {
  const std::string part(size_t(12) << 20, 'x');  // 12 MiB, 9 parts: ~108 MB
  auto reply = call(std::vector<std::string>(9, part));
  ASSERT_TRUE(reply.has_value()) << "no reply to a 100 MB request";
  expect_error(*reply, "too large", "(100 MB)");
  EXPECT_EQ(ok_body(call_ok("{\"cmd\": \"ping\"}")).value("pong", false), true);
}

// One frame over the limit: ZeroMQ drops that connection unread (no reply),
// and the agent answers the next peer.
TEST_F(ServedControlServerTest, AnOversizedFrameDoesNotStopTheAgent) {
  zmq::socket_t big(ctx, zmq::socket_type::req);
  big.set(zmq::sockopt::linger, 0);
  big.set(zmq::sockopt::rcvtimeo, 1000);
  big.connect(server.endpoint());
  const std::string frame(size_t(100) << 20, '{');
  ASSERT_TRUE(big.send(zmq::buffer(frame), zmq::send_flags::none));
  zmq::message_t none;
  EXPECT_FALSE(big.recv(none, zmq::recv_flags::none)) << "a reply to an unread frame";
  EXPECT_EQ(ok_body(call_ok("{\"cmd\": \"ping\"}")).value("pong", false), true);
  EXPECT_FALSE(served.load());
}

// Fields of the wrong type in a known command's body: an error reply, never
// a crash. (The publisher ignores a stats or reset "window"; the subscriber
// reads it.)
TEST_F(ServedControlServerTest, WrongTypesInABodyGetErrorReplies) {
  ok_body(call_ok(configure_with({}).dump()));
  for (const std::string& bad : {std::string(R"({"cmd": "stats", "histograms": "yes"})"),
                                 std::string(R"({"cmd": "configure", "config": {"bootstrap": 5}})"),
                                 std::string(R"({"cmd": "configure", "config": "x"})")}) {
    auto reply = call({bad});
    ASSERT_TRUE(reply.has_value()) << bad;
    const json r = json::parse(*reply, nullptr, false);
    ASSERT_TRUE(r.is_object()) << bad << " -> " << *reply;
    EXPECT_EQ(r.value("ok", true), false) << bad << " -> " << *reply;
  }
  EXPECT_EQ(ok_body(call_ok("{\"cmd\": \"ping\"}")).value("pong", false), true);
}

TEST_F(ServedControlServerTest, AMultipartRequestIsReadAsOneFrame) {
  auto reply = call({"{\"cmd\":", " \"ping\"}"});
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(ok_body(*reply).value("pong", false), true);
}

TEST_F(ServedControlServerTest, RunsAStepOverTheSocket) {
  ok_body(call_ok(configure_with({{"rate", 2000}}).dump()));
  ok_body(call_ok("{\"cmd\": \"start\"}"));
  ASSERT_TRUE(wait_for([&] { return fakes.last() && fakes.last()->sent_count() >= 20; }));
  const json stop_reply = ok_body(call_ok("{\"cmd\": \"stop\"}"));
  const ProducerWindow w = ProducerWindow::from_json(stop_reply.at("window"));
  EXPECT_EQ(w.size(), fakes.last()->sent_count());
  const json stats = ok_body(call_ok("{\"cmd\": \"stats\"}"));
  EXPECT_EQ(stats.at("publisher").at("sent").get<uint64_t>(), w.size());
}

TEST_F(ServedControlServerTest, ShutdownEndsServe) {
  ok_body(call_ok(configure_with({}).dump()));
  ok_body(call_ok("{\"cmd\": \"start\"}"));
  ok_body(call_ok("{\"cmd\": \"shutdown\"}"));
  EXPECT_TRUE(wait_for([&] { return served.load(); })) << "serve() still running after shutdown";
  EXPECT_EQ(pub.state(), proto::AgentState::kStopped);
}

TEST_F(ServedControlServerTest, TheStopFlagEndsServeAndStopsTheRole) {
  ok_body(call_ok(configure_with({}).dump()));
  ok_body(call_ok("{\"cmd\": \"start\"}"));
  stop.store(true);
  EXPECT_TRUE(wait_for([&] { return served.load(); })) << "serve() ignored the stop flag";
  EXPECT_EQ(pub.state(), proto::AgentState::kStopped);
}

}  // namespace
}  // namespace hydra
