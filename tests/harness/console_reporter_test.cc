// ConsoleReporter: what a terminal, a log file and --quiet get.
#include "harness/console_reporter.h"

#include <gtest/gtest.h>

#include <sstream>

namespace hydra {
namespace {

RunInfo info() {
  RunInfo i;
  i.scenario = "hydra-kafka";
  i.sweep_keys = {"subscribers.clients", "publisher.msg_batch"};
  i.total_steps = 2;
  i.repeats = 1;
  i.out_dir = "results/x";
  return i;
}

Progress progress(double elapsed_s, const std::string& phase = "measure") {
  Progress p;
  p.index = 1;
  p.total = 2;
  p.elapsed_s = elapsed_s;
  p.eta_s = 60 - elapsed_s;
  p.tx_rate = 1999.5;
  p.rx_rate = 1998.25;
  p.loss_pct = 0.125;
  p.phase = phase;
  return p;
}

Row ok_row() {
  Row r;
  r.step = 0;
  r.swept = {{"subscribers.clients", "10"}, {"publisher.msg_batch", "100"}};
  r.client_count = 10;
  r.msg_rate = 2000;
  r.packet_tx = 20000;
  r.average_rate = 1999.9;
  r.average_packet_loss = 0;
  r.lat_p99_ms = 3.25;
  r.status = "ok";
  return r;
}

Row failed_row() {
  Row r = ok_row();
  r.step = 1;
  r.status = "failed";
  r.error = "agent sub-0 did not answer\n\x1b[31mred\x1b[0m";
  r.failing_clients = 10;
  return r;
}

// Drives a whole run: 20 s of progress at 4 calls per second, two steps.
std::string run(bool tty, bool quiet) {
  std::ostringstream out;
  ConsoleReporter c(out, tty, quiet);
  StepResult unused;
  c.on_run_start(info());
  for (int i = 0; i < 80; ++i) c.on_progress(progress(i * 0.25));
  c.on_step_done(ok_row(), unused);
  c.on_progress(progress(20.5, "warmup"));
  c.on_step_done(failed_row(), unused);
  c.on_run_end(false);
  return out.str();
}

bool has_control_chars(const std::string& s) {
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if ((u < 0x20 && ch != '\n') || u == 0x7f) return true;
  }
  return false;
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

TEST(ConsoleReporter, NotATerminalHasNoControlCharacters) {
  const std::string out = run(/*tty=*/false, /*quiet=*/false);
  EXPECT_FALSE(has_control_chars(out)) << out;
  // Progress every 5 s of the 20 s: at 0, 5, 10, 15 and 20.5 s.
  EXPECT_EQ(count(out, "step 1/2"), 5u) << out;
  EXPECT_NE(out.find("tx 1999.5 msg/s"), std::string::npos);
  EXPECT_NE(out.find("rx 1998.2"), std::string::npos);
  EXPECT_NE(out.find("loss 0.1250%"), std::string::npos);
  EXPECT_NE(out.find("measure"), std::string::npos);
  // The table: a header, a row per step, the failed one with its error on one line.
  EXPECT_NE(out.find("msg_batch"), std::string::npos);
  EXPECT_NE(out.find("p99_ms"), std::string::npos);
  EXPECT_NE(out.find("3.250  ok"), std::string::npos) << out;
  EXPECT_NE(out.find("failed: agent sub-0 did not answer  [31mred [0m"), std::string::npos) << out;
  EXPECT_NE(out.find("done: 2 steps (1 ok, 1 failed, 0 skipped)"), std::string::npos);
}

TEST(ConsoleReporter, TerminalRedrawsProgressInPlace) {
  const std::string out = run(/*tty=*/true, /*quiet=*/false);
  EXPECT_TRUE(has_control_chars(out));
  // Redrawn once a second over 20 s (0, 1, ..., 19) and at the phase change.
  EXPECT_EQ(count(out, "\r\x1b[Kstep 1/2"), 21u) << out;
  EXPECT_EQ(count(out, "\nstep 1/2"), 0u);  // never a new line per update
  // A table row starts on a cleared line.
  EXPECT_NE(out.find("\r\x1b[K  step"), std::string::npos) << out;
  EXPECT_NE(out.find("3.250  ok"), std::string::npos);
}

TEST(ConsoleReporter, QuietPrintsOnlyErrorsAndTheFinalLine) {
  const std::string out = run(/*tty=*/false, /*quiet=*/true);
  EXPECT_EQ(out.find("step 1/2"), std::string::npos) << out;  // no progress
  EXPECT_EQ(out.find("p99_ms"), std::string::npos);           // no table
  EXPECT_EQ(out.find("ok\n"), std::string::npos);
  EXPECT_NE(out.find("step 1 (r0) failed: agent sub-0 did not answer"), std::string::npos);
  EXPECT_NE(out.find("hydra: done: 2 steps"), std::string::npos);
  EXPECT_EQ(count(out, "\n"), 2u) << out;
  EXPECT_FALSE(has_control_chars(out));
}

TEST(ConsoleReporter, InterruptedRunSaysSo) {
  std::ostringstream out;
  ConsoleReporter c(out, false, false);
  c.on_run_start(info());
  c.on_step_done(ok_row(), StepResult{});
  c.on_run_end(/*interrupted=*/true);
  EXPECT_NE(out.str().find("interrupted after 1 of 2 steps"), std::string::npos) << out.str();
}

// A measured step: 1000 messages in 2 s, acks at 1 ms, one client at 3 ms.
StepResult measured_result() {
  StepResult r;
  r.measured_s = 2.0;
  r.publisher_ok = true;
  r.window.from[0] = 0;
  r.window.until[0] = 1000;
  r.publisher.bytes = 2 * 1024 * 1024;
  r.publisher.ack_latency.record_n(1'000'000, 1000);
  ClientStats c;
  c.client_id = 0;
  c.unique = 1000;
  c.bytes = 2 * 1024 * 1024;
  c.latency.record_n(3'000'000, 1000);
  r.clients = {c};
  return r;
}

TEST(ConsoleReporter, EachStepAndTheRunGetPerfTestSummaries) {
  std::ostringstream out;
  ConsoleReporter c(out, false, false);
  c.on_run_start(info());
  c.on_step_done(ok_row(), measured_result());
  c.on_step_done(failed_row(), measured_result());
  c.on_run_end(false);
  const std::string s = out.str();
  EXPECT_EQ(count(s,
                  "produce:    1000 records sent, 500.0 records/sec (1.00 MB/sec), 1.000 ms "
                  "avg latency, 1.000 ms max latency, 1.000 ms 50th, 1.000 ms 95th, 1.000 ms "
                  "99th, 1.000 ms 99.9th."),
            2u)
      << s;
  EXPECT_EQ(count(s,
                  "end-to-end: 1000 records received, 500.0 records/sec (1.00 MB/sec), 3.000 ms "
                  "avg latency, 3.000 ms max latency"),
            2u)
      << s;
  // The run's summary: both steps together.
  EXPECT_NE(s.find("summary of the measured steps together:\n  produce:    2000 records sent, "
                   "500.0 records/sec (1.00 MB/sec)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("  end-to-end: 2000 records received"), std::string::npos) << s;
  EXPECT_EQ(s.find("latency distribution"), std::string::npos);  // only with --latency
}

TEST(ConsoleReporter, LatencyBlockOnRequest) {
  std::ostringstream out;
  ConsoleReporter c(out, false, false, /*latency_block=*/true);
  c.on_run_start(info());
  StepResult r = measured_result();
  r.publisher_ok = false;  // only the end-to-end side reported
  c.on_step_done(ok_row(), r);
  c.on_run_end(false);
  const std::string s = out.str();
  EXPECT_NE(s.find("produce:    not measured"), std::string::npos) << s;
  EXPECT_EQ(s.find("produce (ack) latency distribution"), std::string::npos) << s;
  EXPECT_NE(s.find("end-to-end latency distribution:\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  99.900%       3.000ms"), std::string::npos) << s;
  EXPECT_NE(s.find("1000 samples"), std::string::npos) << s;
}

TEST(ConsoleReporter, SkippedStepsHaveNoSummary) {
  std::ostringstream out;
  ConsoleReporter c(out, false, false);
  c.on_run_start(info());
  Row skipped = ok_row();
  skipped.status = "skipped";
  c.on_step_done(skipped, StepResult{});
  c.on_run_end(false);
  EXPECT_EQ(out.str().find("produce:"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("summary"), std::string::npos) << out.str();
}

// The phases before traffic (agents starting, clients joining), at 10 calls a
// second as the runner makes them.
std::string setup_phases(bool tty, bool quiet) {
  std::ostringstream out;
  ConsoleReporter c(out, tty, quiet);
  c.on_run_start(info());
  double t = 0;
  auto phase = [&](const std::string& name, int calls, auto detail) {
    for (int i = 0; i < calls; ++i, t += 0.1) {
      Progress p = progress(t, name);
      p.detail = detail(i);
      c.on_progress(p);
    }
  };
  phase("starting agents", 31, [](int i) { return std::to_string(i + 1) + " started"; });
  phase("configuring", 5, [](int) { return "300 clients on 30 subscriber agent(s)"; });
  phase("joining", 25,
        [](int i) { return "300 clients joining (" + std::to_string(i * 12) + " ready)"; });
  phase("warmup", 10, [](int) { return std::string(); });
  c.status("plotting");
  c.note("  sub clients: 12× Connection refused (broker 127.0.0.1:9092) — see logs/");
  return out.str();
}

TEST(ConsoleReporter, NotATerminalAnnouncesEachPhaseOnce) {
  const std::string out = setup_phases(/*tty=*/false, /*quiet=*/false);
  EXPECT_FALSE(has_control_chars(out)) << out;
  EXPECT_EQ(count(out, "starting agents: 1 started"), 1u) << out;
  EXPECT_EQ(count(out, "configuring: 300 clients on 30 subscriber agent(s)"), 1u) << out;
  EXPECT_EQ(count(out, "joining: 300 clients joining (0 ready)"), 1u) << out;
  EXPECT_EQ(count(out, "warmup"), 1u) << out;
  // All within 7 s: one line per phase, none repeated.
  EXPECT_EQ(count(out, "step 1/2"), 4u) << out;
  EXPECT_NE(out.find("\nplotting\n"), std::string::npos) << out;
  EXPECT_NE(out.find("sub clients: 12× Connection refused"), std::string::npos) << out;
}

TEST(ConsoleReporter, TerminalShowsALineEverySecondWhileAgentsStartAndClientsJoin) {
  const std::string out = setup_phases(/*tty=*/true, /*quiet=*/false);
  // starting agents, 0-3 s: at 0 and a second after each redraw (1.1 and
  // 2.1, the clock's steps being 0.1 s); configuring: once; joining, 3.6-6 s:
  // three; warmup: once. Never more than a second without a line.
  EXPECT_EQ(count(out, "\r\x1b[Kstep 1/2"), 8u) << out;
  EXPECT_NE(out.find("starting agents: 12 started"), std::string::npos) << out;
  EXPECT_NE(out.find("joining: 300 clients joining (132 ready)"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\x1b[Kplotting"), std::string::npos) << out;
  // The note ends the status line first and stands on its own line.
  EXPECT_NE(out.find("\r\x1b[K  sub clients: 12×"), std::string::npos) << out;
}

TEST(ConsoleReporter, QuietSilencesProgressButNotClientErrors) {
  const std::string out = setup_phases(/*tty=*/true, /*quiet=*/true);
  EXPECT_EQ(out.find("step 1/2"), std::string::npos) << out;
  EXPECT_EQ(out.find("plotting"), std::string::npos) << out;
  EXPECT_EQ(out, "  sub clients: 12× Connection refused (broker 127.0.0.1:9092) — see logs/\n");
}

// A step's first sample has no earlier one to take a receive rate from
// (warm clients still count the previous step): "-", never a number (found
// as "rx 1996.6 msg/s/client" for a 1000 msg/s send).
TEST(ConsoleReporter, AnUnknownReceiveRateIsADash) {
  std::ostringstream out;
  ConsoleReporter c(out, /*tty=*/false, /*quiet=*/false);
  c.on_run_start(info());
  Progress p = progress(1.0, "warmup");
  p.rx_known = false;
  c.on_progress(p);
  EXPECT_NE(out.str().find("tx 1999.5 msg/s  rx - msg/s/client"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("1998.2"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace hydra
