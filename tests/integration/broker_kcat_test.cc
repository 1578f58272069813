// `hydra broker` is a real Kafka endpoint: kcat (a client Hydra does not
// build) produces to it and consumes from it.
#include <gtest/gtest.h>

#include <signal.h>

#include <sstream>

#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";

class BrokerKcat : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_program("kcat")) GTEST_SKIP() << "kcat is not installed (apt-get install kcat)";
    broker_ = start_background({kHydra, "broker", "--topic", "kc", "--partitions", "3"}, 10s);
    ASSERT_GT(broker_.pid, 0);
    ASSERT_NE(broker_.first_line.find(':'), std::string::npos)
        << "first line should be host:port, got '" << broker_.first_line << "'";
  }
  void TearDown() override {
    if (broker_.pid > 0) stop_background(broker_.pid, SIGKILL, 5s);
  }
  Background broker_;
};

TEST_F(BrokerKcat, FirstLineIsLoopbackBootstrap) {
  std::istringstream in(broker_.first_line);
  std::string server;
  int n = 0;
  while (std::getline(in, server, ',')) {
    ++n;
    EXPECT_TRUE(server.rfind("127.", 0) == 0 || server.rfind("localhost", 0) == 0 ||
                server.rfind("[::1]", 0) == 0)
        << server;
  }
  EXPECT_EQ(n, 1);
}

TEST_F(BrokerKcat, KcatProducesAndConsumes) {
  std::string input;
  for (int i = 0; i < 100; ++i) input += "message-" + std::to_string(i) + "\n";
  const auto p = run_command({"kcat", "-P", "-b", broker_.first_line, "-t", "kc"}, 30s, input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto c = run_command(
      {"kcat", "-C", "-b", broker_.first_line, "-t", "kc", "-o", "beginning", "-e", "-q"}, 30s);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::istringstream lines(c.out);
  std::string line;
  std::multiset<std::string> got;
  while (std::getline(lines, line)) got.insert(line);
  EXPECT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got.count("message-" + std::to_string(i)), 1u) << i;
  // Metadata: the topic has the partitions asked for.
  const auto l = run_command({"kcat", "-L", "-b", broker_.first_line, "-t", "kc"}, 30s);
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_NE(l.out.find("3 partitions"), std::string::npos) << l.out;
}

TEST_F(BrokerKcat, StopsCleanlyOnSigterm) {
  EXPECT_EQ(stop_background(broker_.pid, SIGTERM, 10s), 0);
  broker_.pid = -1;
}

TEST(BrokerCli, RejectsBadUsage) {
  const auto r = run_command({kHydra, "broker", "--brokers", "0"}, 10s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("brokers"), std::string::npos) << r.err;
  const auto r2 = run_command({kHydra, "broker", "--topic", "t", "--replication", "3"}, 10s);
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_NE(r2.err.find("replication"), std::string::npos) << r2.err;
}

}  // namespace
}  // namespace hydra::test
