// Key distributions (common/keys.h): with a fixed seed, the shares of keys
// drawn match each distribution's probabilities within a few standard
// deviations, and the same seed gives the same keys.
#include "common/keys.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace hydra {
namespace {

std::vector<uint64_t> draw(const KeySpec& spec, int n) {
  KeyChooser chooser(spec);
  std::vector<uint64_t> counts(size_t(spec.count), 0);
  for (int i = 0; i < n; ++i) {
    const uint32_t k = chooser.next();
    EXPECT_LT(k, uint32_t(spec.count));
    if (k < counts.size()) ++counts[k];
  }
  return counts;
}

// Every key's count within 5 binomial standard deviations of n·p.
void expect_shares(const KeySpec& spec, int n, const std::vector<double>& p) {
  const auto counts = draw(spec, n);
  for (size_t k = 0; k < p.size(); ++k) {
    const double mean = n * p[k];
    const double sd = std::sqrt(n * p[k] * (1 - p[k]));
    EXPECT_NEAR(double(counts[k]), mean, 5 * sd + 1) << spec.distribution << " key " << k;
  }
}

TEST(Keys, RoundRobinTakesEveryKeyInTurn) {
  KeySpec s;
  s.count = 3;
  KeyChooser c(s);
  std::vector<uint32_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(c.next());
  EXPECT_EQ(got, (std::vector<uint32_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(Keys, UniformGivesEveryKeyAnEqualShare) {
  KeySpec s;
  s.count = 10;
  s.distribution = "uniform";
  s.seed = 7;
  expect_shares(s, 200000, std::vector<double>(10, 0.1));
}

TEST(Keys, ZipfSharesFollowThePowerLaw) {
  for (double exponent : {0.8, 1.0, 2.0}) {
    KeySpec s;
    s.count = 50;
    s.distribution = "zipf";
    s.exponent = exponent;
    s.seed = 3;
    std::vector<double> p(50);
    double sum = 0;
    for (int k = 0; k < 50; ++k) sum += p[size_t(k)] = 1 / std::pow(k + 1, exponent);
    for (double& x : p) x /= sum;
    KeyChooser c(s);
    for (int k = 0; k < 50; ++k) EXPECT_NEAR(c.probability(uint32_t(k)), p[size_t(k)], 1e-12);
    expect_shares(s, 300000, p);
  }
}

TEST(Keys, HotPutsItsFractionOnKeyZeroAndSpreadsTheRest) {
  KeySpec s;
  s.count = 5;
  s.distribution = "hot";
  s.hot_fraction = 0.8;
  s.seed = 11;
  expect_shares(s, 200000, {0.8, 0.05, 0.05, 0.05, 0.05});
  s.count = 1;
  const auto one = draw(s, 1000);
  EXPECT_EQ(one[0], 1000u);
}

TEST(Keys, TheSameSeedGivesTheSameKeysAndAnotherSeedOthers) {
  KeySpec s;
  s.count = 1000;
  s.distribution = "zipf";
  s.seed = 42;
  KeyChooser a(s), b(s);
  s.seed = 43;
  KeyChooser c(s);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 1000; ++i) {
    const uint32_t ka = a.next();
    same_ab += ka == b.next();
    same_ac += ka == c.next();
  }
  EXPECT_EQ(same_ab, 1000);
  EXPECT_LT(same_ac, 500);
}

TEST(Keys, CheckNamesTheBadField) {
  KeySpec s;
  s.distribution = "zipf";
  EXPECT_THROW(s.check(), std::invalid_argument);  // count 0
  s.count = 4;
  EXPECT_NO_THROW(s.check());
  s.distribution = "pareto";
  try {
    s.check();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("keys.distribution"), std::string::npos);
  }
  s.distribution = "hot";
  s.hot_fraction = 1.5;
  EXPECT_THROW(s.check(), std::invalid_argument);
}

}  // namespace
}  // namespace hydra
