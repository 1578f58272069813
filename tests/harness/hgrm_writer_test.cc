// write_hgrm / HgrmWriter: HdrHistogram's percentile-spectrum text format,
// gnuplot-ready.
#include "harness/hgrm_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hydra {
namespace {

struct Line {
  double value_ms, percentile;
  uint64_t total;
  double inverse;  // 1/(1-p); NAN on the last line
};

struct Parsed {
  std::vector<Line> lines;
  std::vector<std::string> other;  // comment and blank lines
};

Parsed parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  std::string s;
  while (std::getline(in, s)) {
    if (s.empty() || s[0] == '#') {
      p.other.push_back(s);
      continue;
    }
    std::istringstream ls(s);
    Line l{};
    ls >> l.value_ms >> l.percentile >> l.total;
    if (!(ls >> l.inverse)) l.inverse = NAN;
    EXPECT_FALSE(ls.fail() && !std::isnan(l.inverse)) << "bad line: " << s;
    p.lines.push_back(l);
  }
  return p;
}

std::string hgrm(const Histogram& h) {
  std::ostringstream out;
  write_hgrm(out, h);
  return out.str();
}

TEST(Hgrm, SpectrumIsMonotoneAndEndsAtTheMax) {
  Histogram h;
  for (int64_t us = 1; us <= 10000; ++us) h.record(us * 1000);  // 1 us .. 10 ms
  h.record(250'000'000);                                        // one 250 ms outlier
  const Parsed p = parse(hgrm(h));
  ASSERT_GT(p.lines.size(), 40u);
  EXPECT_DOUBLE_EQ(p.lines.front().percentile, 0.0);
  for (size_t i = 1; i < p.lines.size(); ++i) {
    EXPECT_GE(p.lines[i].value_ms, p.lines[i - 1].value_ms) << "line " << i;
    EXPECT_GE(p.lines[i].percentile, p.lines[i - 1].percentile) << "line " << i;
    EXPECT_GE(p.lines[i].total, p.lines[i - 1].total) << "line " << i;
  }
  for (size_t i = 0; i + 1 < p.lines.size(); ++i) {
    EXPECT_LT(p.lines[i].percentile, 1.0);
    EXPECT_NEAR(p.lines[i].inverse, 1.0 / (1.0 - p.lines[i].percentile), 0.01);
  }
  const Line& last = p.lines.back();
  EXPECT_DOUBLE_EQ(last.percentile, 1.0);
  EXPECT_DOUBLE_EQ(last.value_ms, 250.0);  // exactly the max
  EXPECT_EQ(last.total, h.count());
  EXPECT_TRUE(std::isnan(last.inverse));  // no 1/(1-p) at 100 %, as in HdrHistogram
  // The median is about 5 ms (within the histogram's 1 % resolution).
  for (const auto& l : p.lines) {
    if (l.percentile == 0.5) {
      EXPECT_NEAR(l.value_ms, 5.0, 0.05);
    }
  }
}

TEST(Hgrm, FiveTicksPerHalfDistance) {
  Histogram h;
  for (int64_t v = 1; v <= 100000; ++v) h.record(v * 1000);
  const Parsed p = parse(hgrm(h));
  std::vector<double> levels;
  for (const auto& l : p.lines) levels.push_back(l.percentile);
  // 0 .. 50 % in steps of 10 %, 50 .. 75 % in steps of 5 %, then 2.5 %, ...
  const std::vector<double> head = {0, .1, .2, .3, .4, .5, .55, .6, .65, .7, .75, .775};
  ASSERT_GT(levels.size(), head.size());
  for (size_t i = 0; i < head.size(); ++i) EXPECT_NEAR(levels[i], head[i], 1e-9) << i;
}

TEST(Hgrm, CommentsHeaderAndFooter) {
  Histogram h;
  h.record_n(2'000'000, 3);  // 2 ms
  h.record(4'000'000);       // 4 ms
  const std::string text = hgrm(h);
  const Parsed p = parse(text);
  ASSERT_FALSE(p.other.empty());
  EXPECT_EQ(p.other.front().rfind("#", 0), 0u);
  EXPECT_NE(p.other.front().find("Value(ms)"), std::string::npos);
  EXPECT_NE(p.other.front().find("1/(1-Percentile)"), std::string::npos);
  EXPECT_NE(text.find("#[Mean    =        2.500"), std::string::npos) << text;
  EXPECT_NE(text.find("#[Max     =        4.000, Total count    =            4]"),
            std::string::npos)
      << text;
  // The standard deviation comes from bucket midpoints: 0.866 within 1 %.
  const auto sd = text.find("StdDeviation   =");
  ASSERT_NE(sd, std::string::npos);
  EXPECT_NEAR(std::stod(text.substr(sd + 17)), 0.866, 0.01) << text;
  for (const auto& l : p.other) EXPECT_TRUE(l.empty() || l[0] == '#');
}

TEST(Hgrm, EmptyHistogramHasNoDataLines) {
  const Parsed p = parse(hgrm(Histogram{}));
  EXPECT_TRUE(p.lines.empty());
  bool total = false;
  for (const auto& l : p.other) total |= l.find("Total count    =            0") != l.npos;
  EXPECT_TRUE(total);
}

TEST(HgrmWriter, WritesTheMergedLatencyOfTheStep) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("hydra-hgrm-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  StepResult r;
  r.step = 12;
  r.repeat = 2;
  r.clients.resize(2);
  r.clients[0].latency.record_n(1'000'000, 10);
  r.clients[1].latency.record_n(9'000'000, 10);
  HgrmWriter w(dir);
  w.on_step_done(Row{}, r);
  const auto path = dir / "latency" / "012-r2.hgrm";
  ASSERT_EQ(w.path_for(12, 2), path);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const Parsed p = parse(ss.str());
  ASSERT_FALSE(p.lines.empty());
  EXPECT_DOUBLE_EQ(p.lines.back().value_ms, 9.0);
  EXPECT_EQ(p.lines.back().total, 20u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hydra
