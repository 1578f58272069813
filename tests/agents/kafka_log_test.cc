// agents/kafka/kafka_log.h: librdkafka's lines reach Hydra's sink with the
// client's name, never stderr raw; the line format reads back; an error's
// gist drops what varies between repetitions.
#include "agents/kafka/kafka_log.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "agents/kafka/kafka_config.h"
#include "agents/kafka/kafka_factories.h"
#include "common/protocol.h"

namespace hydra {
namespace {

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TEST(KafkaLog, LineFormatReadsBack) {
  const KafkaLogLine in{"hydra-sub-3#consumer-4", 3, "FAIL", "127.0.0.1:1/1: Connect failed: x"};
  const std::string text = format_kafka_log_line(1'764'694'000'123'000'000, in);
  EXPECT_EQ(text,
            "2025-12-02T16:46:40.123Z kafka hydra-sub-3#consumer-4 error FAIL "
            "127.0.0.1:1/1: Connect failed: x");
  const auto out = parse_kafka_log_line(text);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->client, in.client);
  EXPECT_EQ(out->level, 3);
  EXPECT_EQ(out->facility, "FAIL");
  EXPECT_EQ(out->message, in.message);
  EXPECT_FALSE(parse_kafka_log_line("%3|1764694000.123|FAIL|rdkafka#producer-1| [thrd:x]: y"));
  EXPECT_FALSE(parse_kafka_log_line("subscriber agent ready"));
}

TEST(KafkaLog, ErrorGistKeepsTheReasonAndTheBroker) {
  EXPECT_EQ(kafka_error_gist("[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect "
                             "to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in "
                             "state CONNECT)"),
            "Connection refused (broker 127.0.0.1:9092)");
  // The error callback's copy names the client and the coordinator first.
  EXPECT_EQ(kafka_error_gist("[thrd:app]: hydra-sub-0#consumer-1: GroupCoordinator: "
                             "127.0.0.1:9092: Connect to ipv4#127.0.0.1:9092 failed: Connection "
                             "refused (after 1ms in state CONNECT, 2 identical error(s) "
                             "suppressed)"),
            "Connection refused (broker 127.0.0.1:9092)");
  EXPECT_EQ(kafka_error_gist("[thrd:127.0.0.1:9092/1]: 127.0.0.1:9092/1: Disconnected (after "
                             "2759ms in state UP)"),
            "Disconnected (broker 127.0.0.1:9092)");
  EXPECT_EQ(kafka_error_gist("[thrd:app]: rdkafka#producer-1: 1/1 brokers are down"),
            "1/1 brokers are down");
}

// A consumer with a bootstrap nothing listens on, built as the Kafka driver
// builds it: its refused connections come through the sink, named by the
// client's id, and nothing reaches stderr.
TEST(KafkaLog, ClientLinesGoThroughTheSinkWithTheClientIdNotStderr) {
  std::mutex mu;
  std::vector<std::string> lines;
  set_kafka_log_sink([&](const std::string& l) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(l);
  });
  const std::string err_path = std::filesystem::temp_directory_path() /
                               ("hydra-kafka-log-" + std::to_string(getpid()) + ".err");
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int file = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(file, STDERR_FILENO);
  {
    proto::SubscriberConfig c;
    c.bootstrap = "127.0.0.1:" + std::to_string(closed_port());
    c.topic = "t";
    c.clients = 1;
    c.group_prefix = "g";
    auto consumer = make_kafka_consumer(c, 5);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto refused = [&] {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& l : lines)
        if (l.find("Connection refused") != std::string::npos) return true;
      return false;
    };
    while (!refused() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  set_kafka_log_sink({});
  std::ifstream in(err_path);
  const std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_path);
  EXPECT_EQ(err, "") << "librdkafka wrote to stderr";
  std::lock_guard<std::mutex> lock(mu);
  bool found = false;
  for (const auto& l : lines) {
    const auto parsed = parse_kafka_log_line(l);
    ASSERT_TRUE(parsed) << l;
    EXPECT_EQ(parsed->client.rfind("hydra-sub-5#consumer-", 0), 0u) << l;
    if (parsed->level <= 3 && kafka_error_gist(parsed->message).find("Connection refused") == 0)
      found = true;
  }
  EXPECT_TRUE(found) << "no refused connection logged at error level in 5 s";
}

}  // namespace
}  // namespace hydra
