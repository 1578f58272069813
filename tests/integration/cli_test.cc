// The command line as a user meets it: every subcommand answers --help with
// its full option table and exit 0, refuses an unknown option by name with
// exit 2, and `hydra --version` names Hydra's and librdkafka's versions.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "subprocess.h"

namespace hydra::test {
namespace {

const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
constexpr auto kLimit = std::chrono::seconds(20);

TEST(Cli, VersionNamesHydraAndLibrdkafka) {
  const auto r = run_command({kHydra, "--version"}, kLimit);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hydra " HYDRA_VERSION " ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("librdkafka ") + rd_kafka_version_str()), std::string::npos)
      << r.out;
}

TEST(Cli, EverySubcommandHasFullHelp) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"run", "--set"},           {"run", "--out"},        {"run", "--quiet"},
      {"validate", "--set"},      {"plot", "RESULTS_DIR"}, {"broker", "--brokers"},
      {"broker", "--replication"}};
  for (const auto& [cmd, option] : expected) {
    const auto r = run_command({kHydra, cmd, "--help"}, kLimit);
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find(option), std::string::npos) << cmd << " --help lacks " << option << ":\n"
                                                     << r.out;
    EXPECT_NE(r.out.find("--help"), std::string::npos) << cmd;
  }
}

TEST(Cli, UnknownOptionIsNamedAndExitsTwo) {
  for (const std::string cmd : {"run", "validate", "plot", "broker"}) {
    const auto r = run_command({kHydra, cmd, "x.json", "--no-such-option"}, kLimit);
    EXPECT_EQ(r.exit_code, 2) << cmd;
    EXPECT_NE(r.err.find("no-such-option"), std::string::npos) << cmd << ": " << r.err;
  }
}

TEST(Cli, MissingPositionalIsAUsageError) {
  for (const std::string cmd : {"run", "validate", "plot"}) {
    const auto r = run_command({kHydra, cmd}, kLimit);
    EXPECT_EQ(r.exit_code, 2) << cmd;
    EXPECT_NE(r.err.find("usage: hydra " + cmd), std::string::npos) << cmd << ": " << r.err;
  }
}

TEST(Cli, NegativeSetValueIsAValueNotAnOption) {
  const auto r =
      run_command({kHydra, "validate", std::string(HYDRA_SOURCE_DIR) + "/scenarios/smoke.json",
                   "--set", "publisher.acks=-1"},
                  kLimit);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace hydra::test
