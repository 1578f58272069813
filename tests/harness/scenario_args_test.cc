// The command-line arguments `hydra run` and `hydra validate` share.
#include "harness/scenario_args.h"

#include <gtest/gtest.h>

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

TEST(ScenarioArgs, HelpExitsZero) {
  int code = -1;
  EXPECT_FALSE(parse_scenario_args({"--help"}, "validate", false, &code));
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace hydra
