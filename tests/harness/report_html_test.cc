// report.html (harness/report_html.h): one self-contained page with the
// scenario, the provenance, the results and every plot; rendered in headless
// Chromium, where every image must load (skipped only when no chromium binary
// is installed: Debian's `chromium`, which tools/quickstart installs).
#include "harness/report_html.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/csv_reporter.h"
#include "harness/plot.h"
#include "harness/provenance.h"

#ifndef HYDRA_SOURCE_DIR
#error "HYDRA_SOURCE_DIR must name the source tree"
#endif

namespace hydra {
namespace {

namespace fs = std::filesystem;

// The smallest valid PNG: 1 x 1 pixel.
const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00"
    "\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0d\x49\x44\x41\x54\x78\xda\x63"
    "\x64\x60\xf8\x5f\x0f\x00\x02\x87\x01\x80\xeb\x47\xba\x92\x00\x00\x00\x00\x49\x45\x4e\x44"
    "\xae\x42\x60\x82",
    70);

class ReportHtml : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hydra-report-test-" + std::to_string(::getpid())) /
           "smoke-20261202";
    fs::remove_all(dir_.parent_path());
    fs::create_directories(dir_ / "plots");
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }

  // Two steps, the second failed with an error holding HTML; run.json with a
  // secret; one plot.
  void write_run() {
    RunInfo info;
    info.scenario = "smoke";
    info.sweep_keys = {"publisher.rate"};
    info.total_steps = 2;
    info.extra_columns = run_extra_columns(false);
    CsvReporter csv(dir_ / "results.csv");
    csv.on_run_start(info);
    for (int step = 0; step < 2; ++step) {
      StepResult r;
      r.step = step;
      r.swept = {{"publisher.rate", 500 * (step + 1)}};
      r.client_count = 1;
      r.msg_rate = 500 * (step + 1);
      r.measured_s = 2;
      r.publisher_ok = true;
      r.window.until[0] = 1000;
      ClientStats c;
      c.client_id = 0;
      c.unique = 1000;
      c.latency.record_n(2'000'000, 1000);
      r.clients = {c};
      if (step == 1) {
        r.status = "failed";
        r.error = "agent <sub-0> did not answer & died";
      }
      csv.on_step_done(compute_row(r), r);
    }
    csv.on_run_end(false);
    Provenance p("smoke", "hydra run smoke.json --set 'publisher.kafka.sasl.password=***'");
    Scenario sc;
    sc.publisher.kafka = {{"sasl.password", "hunter2"}};
    p.record_step(0, sc, {"127.0.0.1:9092", "t", 1, "g"});
    p.finish(false);
    ASSERT_EQ(p.write((dir_ / "run.json").string()), "");
    std::ofstream(dir_ / "scenario.json")
        << "{\n  \"name\": \"smoke\",\n  \"duration_s\": 2,\n  \"publisher\": {\"kafka\": "
           "{\"sasl.password\": \"hunter2\"}}\n}\n";
    std::ofstream(dir_ / "plots" / "rx_rate.png", std::ios::binary) << kPng;
  }

  fs::path dir_;
};

TEST(ReportHtmlText, Base64AndEscaping) {
  // RFC 4648's test vectors.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST_F(ReportHtml, HoldsScenarioProvenanceResultsAndPlotsInOneFile) {
  write_run();
  ASSERT_EQ(write_report_html(dir_.string()), "");
  std::ifstream in(dir_ / "report.html");
  const std::string html((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(html.find("<title>hydra: smoke (smoke-20261202)</title>"), std::string::npos);
  // Provenance.
  EXPECT_NE(html.find("librdkafka"), std::string::npos);
  EXPECT_NE(html.find("hydra run smoke.json"), std::string::npos);
  EXPECT_NE(html.find("metadata.broker.list"), std::string::npos);
  EXPECT_EQ(html.find("hunter2"), std::string::npos);
  // Results: every column, the failed row marked, its error escaped.
  for (const char* col : {"publisher.rate", "average_rate", "lat_p99_ms", "tx_mb_s", "step_end"})
    EXPECT_NE(html.find(std::string("<th>") + col + "</th>"), std::string::npos) << col;
  EXPECT_NE(html.find("<tr class=\"failed\">"), std::string::npos);
  EXPECT_NE(html.find("agent &lt;sub-0&gt; did not answer &amp; died"), std::string::npos);
  EXPECT_EQ(html.find("<sub-0>"), std::string::npos);
  // The plot inlined; nothing loaded from beside the file or the network.
  EXPECT_NE(html.find("src=\"data:image/png;base64," + base64(kPng) + "\""), std::string::npos);
  EXPECT_EQ(html.find("src=\"plots/"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // The scenario.
  EXPECT_NE(html.find("&quot;duration_s&quot;: 2"), std::string::npos);
  EXPECT_NE(html.find("&quot;sasl.password&quot;: &quot;***&quot;"), std::string::npos);
}

TEST_F(ReportHtml, WithoutResultsItSaysWhy) {
  const std::string err = write_report_html(dir_.string());
  EXPECT_NE(err.find("results.csv"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));
}

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      const std::string candidate = dirs.substr(start, end - start) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  return "";
}

// The DOM after the page's load handler ran, from headless Chromium.
std::string rendered_dom(const std::string& chromium, const fs::path& html) {
  const std::string cmd = "timeout 90 '" + chromium +
                          "' --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 "
                          "--dump-dom 'file://" +
                          html.string() + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[65536];
  size_t n;
  while (p && (n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) ::pclose(p);
  return out;
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

// Every image of a real run's report loads in a browser: the run's plots
// drawn by gnuplot when it is installed, else the 1-pixel plot. A broken
// image is caught (so the check can fail).
TEST_F(ReportHtml, RendersInHeadlessChromiumWithEveryImageLoaded) {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "no chromium on PATH (apt-get install chromium; tools/quickstart does)";
  write_run();
  int images = 1;
  if (!find_gnuplot().empty()) {
    const PlotOutcome plots =
        render_plots(dir_.string(), std::string(HYDRA_SOURCE_DIR) + "/tools/plot");
    for (const auto& e : plots.errors) ADD_FAILURE() << e;
    images = int(plots.written.size());
    ASSERT_GE(images, 4);
  }
  ASSERT_EQ(write_report_html(dir_.string()), "");
  std::string dom = rendered_dom(chromium, dir_ / "report.html");
  ASSERT_NE(dom.find("data-checked=\"yes\""), std::string::npos)
      << "the page did not finish loading:\n"
      << dom.substr(0, 2000);
  EXPECT_EQ(count(dom, "<img "), size_t(images));
  EXPECT_EQ(count(dom, "data-loaded=\"yes\""), size_t(images)) << dom.substr(0, 2000);
  EXPECT_EQ(count(dom, "data-loaded=\"no\""), 0u);
  EXPECT_NE(dom.find("hydra run: smoke"), std::string::npos);

  std::ofstream(dir_ / "plots" / "zz-broken.png", std::ios::binary) << "not a png";
  ASSERT_EQ(write_report_html(dir_.string()), "");
  dom = rendered_dom(chromium, dir_ / "report.html");
  EXPECT_EQ(count(dom, "data-loaded=\"no\""), 1u);
  EXPECT_NE(dom.find("image failed to load"), std::string::npos);
}

}  // namespace
}  // namespace hydra
