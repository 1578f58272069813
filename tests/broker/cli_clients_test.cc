// `hydra broker` (the hydra kind, 3 brokers) against clients Hydra does not
// build: kcat (-L, -P, -C, -G) and kafka-python (producer with acks=all, a
// consumer group, the admin client creating and deleting topics; the
// script is kafka_python_test.py next to this file).
#include <gtest/gtest.h>

#include <signal.h>

#include <set>
#include <sstream>

#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";

std::multiset<std::string> lines(const std::string& s) {
  std::istringstream in(s);
  std::multiset<std::string> out;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.insert(l);
  return out;
}

class HydraBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = start_background({kHydra, "broker", "--kind", "hydra", "--brokers", "3", "--topic",
                                "cli", "--partitions", "3", "--replication", "2"},
                               10s);
    ASSERT_GT(broker_.pid, 0);
    ASSERT_NE(broker_.first_line.find(':'), std::string::npos) << broker_.first_line;
  }
  void TearDown() override {
    if (broker_.pid > 0) {
      EXPECT_EQ(stop_background(broker_.pid, SIGTERM, 10s), 0);
    }
  }
  Background broker_;
};

TEST_F(HydraBroker, KcatListsProducesConsumesAndJoinsGroups) {
  if (!have_program("kcat")) GTEST_SKIP() << "kcat is not installed (apt-get install kcat)";
  const std::string& b = broker_.first_line;
  const auto l = run_command({"kcat", "-L", "-b", b}, 30s);
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_NE(l.out.find("3 brokers"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("topic \"cli\" with 3 partitions"), std::string::npos) << l.out;

  std::string input;
  for (int i = 0; i < 200; ++i) input += "m-" + std::to_string(i) + "\n";
  const auto p = run_command({"kcat", "-P", "-b", b, "-t", "cli", "-X", "acks=all"}, 30s, input);
  ASSERT_EQ(p.exit_code, 0) << p.err;

  const auto c =
      run_command({"kcat", "-C", "-b", b, "-t", "cli", "-o", "beginning", "-e", "-q"}, 30s);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(lines(c.out), lines(input));

  // A balanced consumer group: kcat -G exits at the end of every partition.
  const auto g =
      run_command({"kcat", "-G", "kcat-group", "-b", b, "-o", "beginning", "-e", "-q", "cli"}, 60s);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(lines(g.out), lines(input));
}

TEST_F(HydraBroker, KafkaPython) {
  const std::string py = "/usr/bin/python3";
  const auto probe = run_command({py, "-c", "import kafka"}, 30s);
  if (probe.exit_code != 0)
    GTEST_SKIP() << "kafka-python is not installed (apt-get install python3-kafka)";
  const auto r = run_command(
      {py, std::string(BROKER_TEST_DIR) + "/kafka_python_test.py", broker_.first_line}, 100s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("kafka-python: ok"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace hydra::test
