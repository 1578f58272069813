// The fault figures from known per-second series: recovery time, in/out of
// fault attribution by second of intended send time, and the per-second
// histograms behind the p99s.
#include "harness/fault_figures.h"

#include <gtest/gtest.h>

namespace hydra {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(CoarseHistogram, PercentilesWithinItsBucketWidth) {
  CoarseHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(int64_t(i) * 100'000);  // 0.1 .. 100 ms
  const double p50 = double(h.percentile(50)), p99 = double(h.percentile(99));
  EXPECT_NEAR(p50, 50e6, 50e6 * 0.0625);
  EXPECT_NEAR(p99, 99e6, 99e6 * 0.0625);
  EXPECT_EQ(CoarseHistogram().percentile(99), 0);
  // Bucket edges tile the range.
  for (size_t i = 0; i + 1 < CoarseHistogram::kBuckets; ++i)
    EXPECT_EQ(CoarseHistogram::bucket_high(i), CoarseHistogram::bucket_low(i + 1)) << i;
  EXPECT_EQ(CoarseHistogram::index(CoarseHistogram::bucket_low(77)), 77u);
  const auto back = CoarseHistogram::from_json(h.to_json());
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.percentile(99), h.percentile(99));
}

TEST(SecondSeries, RoundTripsThroughJsonAndMerges) {
  ClientSeries a, b;
  a.start(SeriesSpan{1000, 3});
  b.start(SeriesSpan{1000, 3});
  a.unique[1] = 5;
  a.latency[1].record(2 * kMs);
  b.unique[1] = 7;
  b.dups[2] = 1;
  const ClientSeries back = ClientSeries::from_json(a.to_json());
  EXPECT_EQ(back.unique, a.unique);
  EXPECT_EQ(back.latency[1].count(), 1u);
  a += b;
  EXPECT_EQ(a.unique[1], 12u);
  EXPECT_EQ(a.dups[2], 1u);
  EXPECT_EQ(SeriesSpan({1000, 3}).at(0), 0u);                     // before the window: first
  EXPECT_EQ(SeriesSpan({1000, 3}).at(1000 + 2'500'000'000), 2u);  // 2.5 s in
  EXPECT_EQ(SeriesSpan({1000, 3}).at(1000 + 9'000'000'000), 2u);  // past the end: last
  EXPECT_THROW(SeriesSpan::from_json({{"from_ns", 0}, {"seconds", -1}}), std::invalid_argument);
}

TEST(Recovery, FromAKnownSeries) {
  const std::vector<double> rx = {100, 100, 0, 0, 50, 95, 100, 100};
  std::string why;
  auto r = recovery_time(rx, 100, 4.0, &why);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r, 1.0);  // second 5 is the first within 10 %
  EXPECT_EQ(why, "recovered");
  r = recovery_time(rx, 100, 3.5, &why);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r, 1.5);
  // A backlog burst above the band is not recovered either.
  r = recovery_time({100, 0, 300, 200, 105}, 100, 2.0, &why);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r, 2.0);
  EXPECT_FALSE(recovery_time({100, 0, 0, 0}, 100, 1.0, &why));
  EXPECT_EQ(why, "not recovered in the window");
  EXPECT_FALSE(recovery_time({100, 0}, 100, 2.0, &why));
  EXPECT_EQ(why, "the faults lasted to the window's end");
  EXPECT_FALSE(recovery_time({100, 100}, 0, 1.0, &why));
  EXPECT_EQ(why, "no target rate");
}

// A 6 s window, 100 msg/s, two clients; client 0 loses 40 of second 2's
// messages (the fault's second) and sees 5 duplicates of second 3's.
StepResult known_step(nlohmann::json faults) {
  StepResult r;
  r.publisher_ok = true;
  r.msg_rate = 100;
  r.measured_s = 6.0;
  r.publisher.series.start(SeriesSpan{0, 8});
  for (int s = 0; s < 6; ++s) r.publisher.series.sent[size_t(s)] = 100;
  for (int id = 0; id < 2; ++id) {
    ClientStats c;
    c.client_id = id;
    c.series.start(SeriesSpan{0, 8});
    for (size_t s = 0; s < 6; ++s) {
      c.series.unique[s] = 100;
      c.series.received[s] = 100;
      for (int k = 0; k < 100; ++k) c.series.latency[s].record(1 * kMs);
    }
    r.clients.push_back(c);
  }
  auto& a = r.clients[0].series;
  a.unique[2] = 60;
  a.latency[2] = CoarseHistogram();
  for (int k = 0; k < 60; ++k) a.latency[2].record(50 * kMs);
  a.dups[3] = 5;
  a.received[2] = 0;
  a.received[3] = 50;  // back at second 4
  r.faults = std::move(faults);
  return r;
}

TEST(FaultFigures, AttributesBySecondOfIntendedSendTime) {
  const auto ff = fault_figures(known_step(nlohmann::json::array(
      {{{"description", "broker_down@2+1"}, {"window", {2.0, 3.0}}, {"error", ""}}})));
  ASSERT_TRUE(ff);
  EXPECT_TRUE(ff->has_faults);
  EXPECT_EQ(ff->in_fault.seconds, 1);
  EXPECT_EQ(ff->in_fault.lost, 40u);
  EXPECT_EQ(ff->in_fault.dups, 0u);
  EXPECT_EQ(ff->clean.seconds, 5);
  EXPECT_EQ(ff->clean.lost, 0u);
  EXPECT_EQ(ff->clean.dups, 5u);
  ASSERT_TRUE(ff->in_fault.p99_ms());
  EXPECT_NEAR(*ff->in_fault.p99_ms(), 50, 50 * 0.0625);
  EXPECT_NEAR(*ff->clean.p99_ms(), 1, 0.0625);
  ASSERT_TRUE(ff->target);
  EXPECT_DOUBLE_EQ(*ff->target, 200);  // 100 msg/s to each of 2 clients
  ASSERT_TRUE(ff->recovery_s);
  EXPECT_DOUBLE_EQ(*ff->recovery_s, 1.0);  // second 3 is at 150/200, second 4 at 200
  EXPECT_EQ(ff->seconds[2].lost, 40u);
  EXPECT_TRUE(ff->seconds[2].in_fault);
  EXPECT_FALSE(ff->seconds[3].in_fault);
  EXPECT_FALSE(ff->seconds[6].in_window);  // the drain's seconds

  const auto j = timeline_json(known_step(nlohmann::json::array(
      {{{"description", "broker_down@2+1"}, {"window", {2.0, 3.0}}, {"error", ""}}})));
  EXPECT_EQ(j["seconds"].size(), 8u);
  EXPECT_EQ(j["fault"]["lost"], 40);
  EXPECT_EQ(j["recovery"], "recovered");
  EXPECT_EQ(j["readers"], 2);
}

// One shared group of two members, each reading half the stream into the
// group's tracker: the group, not each member, must get every message, so
// nothing is lost (found running scenarios/delivery-semantics.json: every
// message counted lost once per extra member).
TEST(FaultFigures, ASharedGroupIsOneReader) {
  StepResult r = known_step(nlohmann::json::array(
      {{{"description", "crash:client0@2"}, {"window", {2.0, 2.0}}, {"error", ""}}}));
  for (auto& c : r.clients)
    for (size_t s = 0; s < 6; ++s) c.series.unique[s] = 50, c.series.received[s] = 50;
  r.group_count = 1;
  r.groups.resize(1);
  const auto ff = fault_figures(r);
  ASSERT_TRUE(ff);
  EXPECT_EQ(ff->in_fault.lost, 0u);
  EXPECT_EQ(ff->clean.lost, 0u);
  ASSERT_TRUE(ff->target);
  EXPECT_DOUBLE_EQ(*ff->target, 100);  // one group's copy of 100 msg/s
  EXPECT_EQ(timeline_json(r)["readers"], 1);
}

TEST(FaultFigures, AnInstantFaultCountsTheSecondItFiresIn) {
  const auto ff = fault_figures(known_step(nlohmann::json::array(
      {{{"description", "kill:subscriber0@2.5"}, {"window", {2.5, 2.5}}, {"error", ""}}})));
  ASSERT_TRUE(ff);
  EXPECT_EQ(ff->in_fault.seconds, 1);
  EXPECT_EQ(ff->in_fault.lost, 40u);
  EXPECT_TRUE(ff->seconds[2].in_fault);
}

TEST(FaultFigures, NoFaultsNoFaultFigures) {
  const auto ff = fault_figures(known_step(nullptr));
  ASSERT_TRUE(ff);
  EXPECT_FALSE(ff->has_faults);
  EXPECT_FALSE(ff->recovery_s);
  EXPECT_EQ(ff->recovery, "no fault");
  EXPECT_EQ(faults_cell(known_step(nullptr)), "");
  // A step that kept no series (never measured) has none at all.
  EXPECT_FALSE(fault_figures(StepResult{}));
}

TEST(FaultFigures, TheCellSaysWhichFaultFailed) {
  EXPECT_EQ(faults_cell(known_step(nlohmann::json::array(
                {{{"description", "broker_down@2+1"}, {"error", ""}},
                 {{"description", "disconnect@3"}, {"error", "no embedded broker"}}}))),
            "broker_down@2+1 disconnect@3(failed)");
}

}  // namespace
}  // namespace hydra
