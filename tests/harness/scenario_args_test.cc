// The command-line arguments `hydra run` and `hydra validate` share.
#include "harness/scenario_args.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hydra {
namespace {

TEST(ScenarioArgs, RunTakesSetsOutAndQuietInAnyOrder) {
  int code = -1;
  const auto a = parse_scenario_args({"--set", "a.b=1", "s.json", "--out=o", "--set=c=[1,2]", "-q"},
                                     "run", true, &code);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->scenario, "s.json");
  EXPECT_EQ(a->sets, (std::vector<std::string>{"a.b=1", "c=[1,2]"}));
  EXPECT_EQ(a->out, "o");
  EXPECT_TRUE(a->quiet);
}

TEST(ScenarioArgs, ValidateRefusesRunOnlyOptions) {
  int code = -1;
  EXPECT_FALSE(parse_scenario_args({"s.json", "--out", "o"}, "validate", false, &code));
  EXPECT_EQ(code, 2);
  code = -1;
  const auto a = parse_scenario_args({"s.json", "--set", "x=1"}, "validate", false, &code);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->sets.size(), 1u);
}

TEST(ScenarioArgs, MissingValuesAndScenarioAreUsageErrors) {
  int code = -1;
  EXPECT_FALSE(parse_scenario_args({"s.json", "--set"}, "run", true, &code));
  EXPECT_EQ(code, 2);
  code = -1;
  EXPECT_FALSE(parse_scenario_args({"--quiet"}, "run", true, &code));
  EXPECT_EQ(code, 2);
  code = -1;
  EXPECT_FALSE(parse_scenario_args({"a.json", "b.json"}, "run", true, &code));
  EXPECT_EQ(code, 2);
}

// --out on a folder that holds anything is refused (exit 2) unless --force;
// a new or empty folder is fine.
TEST(ScenarioArgs, NonEmptyOutFolderNeedsForce) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("hydra-args-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  int code = -1;
  EXPECT_TRUE(parse_scenario_args({"s.json", "--out", dir.string()}, "run", true, &code));
  fs::create_directories(dir);
  EXPECT_TRUE(parse_scenario_args({"s.json", "--out", dir.string()}, "run", true, &code));
  std::ofstream(dir / "results.csv") << "step\n";
  code = -1;
  EXPECT_FALSE(parse_scenario_args({"s.json", "--out", dir.string()}, "run", true, &code));
  EXPECT_EQ(code, 2);
  const auto forced =
      parse_scenario_args({"s.json", "--out", dir.string(), "--force"}, "run", true, &code);
  ASSERT_TRUE(forced);
  EXPECT_TRUE(forced->force);
  code = -1;
  EXPECT_FALSE(
      parse_scenario_args({"s.json", "--out", (dir / "results.csv").string()}, "run", true, &code));
  EXPECT_EQ(code, 2);
  fs::remove_all(dir);
}

TEST(ScenarioArgs, ConnectIsForValidateOnly) {
  int code = -1;
  const auto v = parse_scenario_args({"s.json", "--connect"}, "validate", false, &code);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->connect);
  EXPECT_FALSE(parse_scenario_args({"s.json", "--connect"}, "run", true, &code));
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(parse_scenario_args({"s.json", "--force"}, "validate", false, &code));
}

TEST(ScenarioArgs, HelpExitsZero) {
  int code = -1;
  EXPECT_FALSE(parse_scenario_args({"--help"}, "validate", false, &code));
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace hydra
