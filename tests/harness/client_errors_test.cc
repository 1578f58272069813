// harness/client_errors.h: client log lines read back from the log files and
// summarised, one line per distinct error per role; the controller's own
// lines kept until their file exists.
#include "harness/client_errors.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agents/kafka/kafka_config.h"
#include "agents/kafka/kafka_log.h"

namespace hydra {
namespace {

namespace fs = std::filesystem;

std::string line(const std::string& client, int level, const std::string& message) {
  return format_kafka_log_line(1'700'000'000'000'000'000, {client, level, "FAIL", message});
}

// A loopback port nothing listens on: bound, then closed.
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

const std::string kRefused =
    "[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect to "
    "ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)";

TEST(ClientErrors, OneLinePerDistinctErrorPerRoleCountingClients) {
  ClientErrorSummary s;
  for (int i = 0; i < 12; ++i) {
    const std::string client = "hydra-sub-" + std::to_string(i) + "#consumer-1";
    s.add_line("sub-" + std::to_string(i / 10), line(client, 3, kRefused));
    // The same error again, later, with other timings: the same entry.
    s.add_line("sub-" + std::to_string(i / 10),
               line(client, 3,
                    "[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/1: Connect to "
                    "ipv4#127.0.0.1:9092 failed: Connection refused (after 1ms in state "
                    "CONNECT, 4 identical error(s) suppressed)"));
  }
  s.add_line("pub-0", line("hydra-pub-1#producer-1", 3, kRefused));
  // Warnings and below, and lines that are not client log lines, are no news.
  s.add_line("sub-0", line("hydra-sub-0#consumer-1", 4, "something to note"));
  s.add_line("sub-0", "%3|1700000000.000|FAIL|rdkafka#consumer-1| raw line");
  s.add_line("sub-0", "");
  const auto lines = s.take_lines("logs/");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "pub clients: 1 client: Connection refused (broker 127.0.0.1:9092) — see logs/");
  EXPECT_EQ(lines[1], "sub clients: 12× Connection refused (broker 127.0.0.1:9092) — see logs/");
  EXPECT_TRUE(s.take_lines("logs/").empty()) << "a step's summary is not repeated";
}

TEST(ClientErrors, FollowerReadsOnlyWhatTheFilesGainedInWholeLines) {
  const fs::path dir = fs::temp_directory_path() / ("hydra-follow-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "sub-0.log") << "one\ntwo\npart";
  std::ofstream(dir / "notes.txt") << "not a log\n";
  LogFollower f(dir.string());
  std::vector<std::string> got;
  auto collect = [&](const std::string& src, const std::string& l) {
    got.push_back(src + ":" + l);
  };
  f.read_new(collect);
  EXPECT_EQ(got, (std::vector<std::string>{"sub-0:one", "sub-0:two"}));
  got.clear();
  std::ofstream(dir / "sub-0.log", std::ios::app) << "ial\nthree\n";
  std::ofstream(dir / "pub-0.log") << "p\n";
  f.read_new(collect);
  EXPECT_EQ(got, (std::vector<std::string>{"pub-0:p", "sub-0:partial", "sub-0:three"}));
  got.clear();
  f.read_new(collect);
  EXPECT_TRUE(got.empty());
  fs::remove_all(dir);
}

TEST(ClientErrors, ControllerLinesAreKeptUntilTheFileExists) {
  const fs::path path =
      fs::temp_directory_path() / ("hydra-controller-" + std::to_string(getpid()) + ".log");
  fs::remove(path);
  {
    ControllerClientLog log;
    // A real client with nothing to connect to logs through the sink; its
    // refused connections come within milliseconds, 2 s is ample.
    char err[256];
    rd_kafka_conf_t* conf = make_kafka_conf({{"client.id", "hydra-admin"}}, {});
    const std::string bootstrap = "127.0.0.1:" + std::to_string(closed_port());
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    ASSERT_NE(rk, nullptr) << err;
    for (int i = 0; i < 20; ++i) rd_kafka_poll(rk, 100);
    ASSERT_EQ(log.open(path.string()), "");
    rd_kafka_destroy(rk);
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(path);
  const auto first = parse_kafka_log_line(text.substr(0, text.find('\n')));
  ASSERT_TRUE(first) << text;
  EXPECT_EQ(first->client.rfind("hydra-admin#producer-", 0), 0u) << text;
  EXPECT_NE(text.find("Connection refused"), std::string::npos) << text;
}

}  // namespace
}  // namespace hydra
