// Rate searches (harness/search.h) against a fake set-up of known capacity:
// below it the publisher keeps up and nothing is lost; above it the achieved
// rate stays at the capacity, the send delay grows and (for the lossless
// search) messages are lost from a lower "loss knee". The searches must
// terminate within their probe budget with the right answer.
#include "harness/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace hydra {
namespace {

// A set-up that sends at most `capacity` msg/s and loses nothing below
// `lossless` msg/s, then (rate - lossless) / rate of what it sends.
struct FakeSetup {
  double capacity;
  double lossless;
  std::vector<double> probed;

  Row operator()(double rate) {
    probed.push_back(rate);
    Row r;
    r.status = "ok";
    r.msg_rate = rate;
    const double achieved = std::min(rate, capacity);
    r.average_tx_rate = achieved;
    r.packet_tx = uint64_t(achieved * 10);
    r.send_delay_p99_ms = rate > capacity ? 2000.0 : 1.5;
    r.average_packet_loss = rate > lossless ? 100 * (rate - lossless) / rate : 0.0;
    r.set("pub_unacked", uint64_t(0));
    return r;
  }
};

TEST(RateSearch, FindsTheMaxRateOfAKnownCapacity) {
  FakeSetup fake{37000, 1e12, {}};
  SearchOptions o;
  o.mode = SearchMode::kMaxRate;
  o.start_rate = 1000;
  o.max_probes = 20;
  std::vector<Row> reported;
  const SearchAnswer a =
      RateSearch(o).run(std::ref(fake), [&](const Probe&, const Row& r) { reported.push_back(r); });
  EXPECT_EQ(a.status, "found");
  ASSERT_TRUE(a.rate);
  EXPECT_LE(*a.rate, 37000);
  EXPECT_GE(*a.rate, 37000 * (1 - o.tolerance));
  ASSERT_TRUE(a.lowest_bad_rate);
  EXPECT_GT(*a.lowest_bad_rate, 37000);
  EXPECT_LE(a.probes, o.max_probes);
  EXPECT_EQ(size_t(a.probes), fake.probed.size());
  // Doubling first: 1000, 2000, ..., 64000, then bisection.
  EXPECT_EQ(fake.probed[0], 1000);
  EXPECT_EQ(fake.probed[6], 64000);
  EXPECT_EQ(a.history[7].phase, "bisect");
  // Every probe is a row with its number and verdict.
  ASSERT_EQ(reported.size(), fake.probed.size());
  EXPECT_EQ(std::get<int64_t>(reported[0].value("probe")), 1);
  EXPECT_EQ(std::get<std::string>(reported[0].value("search")), "grow: keeps up");
  EXPECT_NE(std::get<std::string>(reported[6].value("search")).find("grow: saturated"),
            std::string::npos);
}

TEST(RateSearch, FindsTheLosslessRateBelowTheCapacity) {
  FakeSetup fake{50000, 12000, {}};
  SearchOptions o;
  o.mode = SearchMode::kLosslessRate;
  o.start_rate = 1000;
  o.max_loss_pct = 0.5;
  o.max_probes = 20;
  const SearchAnswer a = RateSearch(o).run(std::ref(fake));
  EXPECT_EQ(a.status, "found");
  ASSERT_TRUE(a.rate);
  // Loss <= 0.5 % up to 12000 / 0.995 = 12060 msg/s.
  EXPECT_LE(*a.rate, 12060.3);
  EXPECT_GE(*a.rate, 12060 * (1 - o.tolerance));
  EXPECT_LE(*a.loss_pct, 0.5);
  // The capacity is far above: what stopped the growth was loss.
  const auto lossy = std::count_if(a.history.begin(), a.history.end(),
                                   [](const Probe& p) { return p.verdict.rfind("lossy", 0) == 0; });
  EXPECT_GT(lossy, 0);
}

TEST(RateSearch, DescendsWhenTheStartIsAboveTheCapacity) {
  FakeSetup fake{3000, 1e12, {}};
  SearchOptions o;
  o.start_rate = 100000;
  o.max_probes = 20;
  const SearchAnswer a = RateSearch(o).run(std::ref(fake));
  EXPECT_EQ(a.status, "found");
  ASSERT_TRUE(a.rate);
  EXPECT_GT(*a.rate, 0);
  EXPECT_LE(*a.rate, 3000);
  EXPECT_GE(*a.rate, 3000 * 0.95);
  EXPECT_EQ(a.history[1].phase, "descend");
}

TEST(RateSearch, RunsOutOfProbesAsBounded) {
  FakeSetup fake{1e9, 1e12, {}};  // never saturates
  SearchOptions o;
  o.start_rate = 1000;
  o.max_probes = 4;
  const SearchAnswer a = RateSearch(o).run(std::ref(fake));
  EXPECT_EQ(a.status, "bounded");
  EXPECT_EQ(a.probes, 4);
  EXPECT_EQ(fake.probed.size(), 4u);
  EXPECT_EQ(*a.rate, 8000);
  EXPECT_FALSE(a.lowest_bad_rate);
}

TEST(RateSearch, NothingKeepsUpIsNoneAndStops) {
  FakeSetup fake{0, 0, {}};  // achieves nothing at any rate
  SearchOptions o;
  o.start_rate = 8;
  o.max_probes = 50;
  const SearchAnswer a = RateSearch(o).run(std::ref(fake));
  EXPECT_EQ(a.status, "none");
  EXPECT_FALSE(a.rate);
  EXPECT_LT(a.probes, 50);  // stopped below 1 msg/s, not at the budget
}

TEST(RateSearch, AnInterruptedProbeEndsTheSearch) {
  int calls = 0;
  SearchOptions o;
  const SearchAnswer a = RateSearch(o).run([&](double) {
    Row r;
    r.status = ++calls == 2 ? "interrupted" : "ok";
    r.average_tx_rate = 1000;
    return r;
  });
  EXPECT_EQ(a.status, "interrupted");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*a.rate, 1000);
}

TEST(RateSearch, SaturationFromBacklogAndSendDelay) {
  SearchOptions o;
  RateSearch s(o);
  Row r;
  r.status = "ok";
  r.average_tx_rate = 1000;
  r.packet_tx = 10000;
  r.send_delay_p99_ms = 1.0;
  r.set("pub_unacked", uint64_t(500));
  EXPECT_NE(s.judge(r, 1000, "grow", std::nullopt).verdict.find("never acknowledged"),
            std::string::npos);
  r.set("pub_unacked", uint64_t(0));
  EXPECT_TRUE(s.judge(r, 1000, "grow", std::nullopt).good);
  r.send_delay_p99_ms = 900.0;
  EXPECT_NE(s.judge(r, 1000, "grow", std::nullopt).verdict.find("send delay"), std::string::npos);
  r.send_delay_p99_ms = 1.0;
  // Twice the target but only 1 % more achieved than the last good probe.
  EXPECT_NE(s.judge(r, 1000, "grow", 990.0).verdict.find("grew"), std::string::npos);
}

TEST(RateSearch, SearchCsvRecord) {
  SearchAnswer a;
  a.status = "found";
  a.rate = 12000;
  a.achieved = 11990.4;
  a.loss_pct = 0.1;
  a.lowest_bad_rate = 12500;
  a.probes = 9;
  const auto r = search_csv_record({"all"}, 2, "find-lossless-rate", a);
  const std::vector<std::string> want = {
      "all", "2", "find-lossless-rate", "12000", "11990.4", "0.1000", "12500", "9", "found"};
  EXPECT_EQ(r, want);
  EXPECT_EQ(search_csv_columns().size() + 3, r.size());
}

}  // namespace
}  // namespace hydra
