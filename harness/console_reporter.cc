#include "harness/console_reporter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "harness/columns.h"

namespace hydra {
namespace {

constexpr const char* kClearLine = "\r\x1b[K";
constexpr double kTtyProgressEvery_s = 1.0;
constexpr double kLogProgressEvery_s = 5.0;

// Console text never carries control characters of its own making: an error
// message with line breaks or escapes is flattened to one line.
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

std::string duration(double s) {
  if (!(s >= 0) || !std::isfinite(s)) return "?";
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  }
  return buf;
}

std::string fmt(const char* f, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

// The sweep columns of the table: the swept keys other than the client count
// and the rate, which have their own columns. Headed by the key's last part.
bool own_column(const std::string& key) {
  return key == "subscribers.clients" || key == "publisher.rate";
}
std::string short_key(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}
int sweep_width(const std::string& key) {
  return std::max<int>(8, short_key(key).size());
}

// The table's figures: a registry column each (printed in its results.csv
// format), under a shorter heading.
struct TableColumn {
  const char* column;
  const char* heading;
  int width;
};
constexpr TableColumn kTable[] = {
    {"client_count", "clients", 7},       {"msg_rate", "msg_rate", 10},
    {"packet_tx", "packet_tx", 10},       {"average_rate", "avg_rx_rate", 11},
    {"average_packet_loss", "loss_%", 9}, {"failing_clients", "failing", 7},
    {"lat_p99_ms", "p99_ms", 9},
};

std::string fit(std::string s, int width) {
  s = printable(s);
  if (int(s.size()) > width) s = s.substr(0, width - 1) + "~";
  return s;
}

}  // namespace

ConsoleReporter::ConsoleReporter(std::ostream& out, bool is_tty, bool quiet, bool latency_block)
    : out_(out), tty_(is_tty), quiet_(quiet), latency_block_(latency_block) {}

void ConsoleReporter::Total::add(const PerfSide& s, double measured_s) {
  if (!s.measured) return;
  side.measured = true;
  side.records += s.records;
  side.latency += s.latency;
  if (measured_s > 0) seconds += measured_s;
  if (s.mb_s && measured_s > 0) {
    mb += *s.mb_s * measured_s;
    mb_known = true;
  }
}

PerfSide ConsoleReporter::Total::finish() const {
  PerfSide out = side;
  if (seconds > 0) {
    out.msg_s = double(side.records) / seconds;
    if (mb_known) out.mb_s = mb / seconds;
  }
  return out;
}

void ConsoleReporter::print_summary(const PerfSummary& s, const std::string& indent) {
  out_ << indent << "produce:    " << perf_line(s.produce, "sent") << '\n';
  out_ << indent << "end-to-end: " << perf_line(s.e2e, "received") << '\n';
}

void ConsoleReporter::on_run_start(const RunInfo& info) {
  info_ = info;
  started_ = std::chrono::steady_clock::now();
  if (quiet_) return;
  out_ << "hydra: " << printable(info.scenario) << ": " << info.total_steps << " step"
       << (info.total_steps == 1 ? "" : "s");
  if (info.repeats > 1) out_ << " x " << info.repeats << " repeats";
  if (!info.out_dir.empty()) out_ << ", results in " << printable(info.out_dir);
  out_ << '\n';
  out_.flush();
}

// The phases with traffic show rates; the others (starting agents, joining,
// configuring, collecting) say what they wait for instead.
static bool has_rates(const std::string& phase) {
  return phase == "warmup" || phase == "measure" || phase == "drain";
}

std::string ConsoleReporter::progress_line(const Progress& p) const {
  std::string line = fmt("step %d/%d", p.index, p.total);
  if (info_.repeats > 1) line += fmt(" (r%d)", p.repeat);
  if (!has_rates(p.phase)) {
    line += "  " + printable(p.phase.empty() ? "-" : p.phase);
    if (!p.detail.empty()) line += ": " + printable(p.detail);
    return line + "  elapsed " + duration(p.elapsed_s) + "  ETA " + duration(p.eta_s);
  }
  line += " " + fit(p.phase, 8);
  line += "  elapsed " + duration(p.elapsed_s) + "  ETA " + duration(p.eta_s);
  line += fmt("  tx %.1f msg/s", p.tx_rate);
  line +=
      p.rx_known ? fmt("  rx %.1f msg/s/client", p.rx_rate) : std::string("  rx - msg/s/client");
  line += fmt("  loss %.4f%%", p.loss_pct);
  if (!p.detail.empty()) line += "  " + printable(p.detail);
  return line;
}

// A new step or phase shows at once (on a terminal and in a log alike, so
// every phase is announced); the same phase again at most once a second on a
// terminal, every 5 s in a log.
void ConsoleReporter::on_progress(const Progress& p) {
  if (quiet_) return;
  const bool changed = p.index != last_progress_index_ || p.phase != last_phase_;
  if (tty_) {
    if (!changed && p.elapsed_s - last_progress_s_ < kTtyProgressEvery_s) return;
    out_ << kClearLine << progress_line(p);
    progress_shown_ = true;
  } else {
    if (!changed && p.elapsed_s - last_progress_s_ < kLogProgressEvery_s) return;
    out_ << progress_line(p) << '\n';
  }
  last_progress_s_ = p.elapsed_s;
  last_progress_index_ = p.index;
  last_phase_ = p.phase;
  out_.flush();
}

void ConsoleReporter::status(const std::string& text) {
  if (quiet_) return;
  if (tty_) {
    out_ << kClearLine << printable(text);
    progress_shown_ = true;
  } else {
    out_ << printable(text) << '\n';
  }
  out_.flush();
}

void ConsoleReporter::note(const std::string& text) {
  clear_progress();
  out_ << printable(text) << '\n';
  out_.flush();
}

void ConsoleReporter::end_status() {
  clear_progress();
  out_.flush();
}

void ConsoleReporter::clear_progress() {
  if (tty_ && progress_shown_) out_ << kClearLine;
  progress_shown_ = false;
}

void ConsoleReporter::print_table_header() {
  std::string h = fmt("%6s", "step");
  for (const auto& key : info_.sweep_keys) {
    if (!own_column(key)) h += fmt(" %*s", sweep_width(key), fit(short_key(key), 20).c_str());
  }
  for (const auto& t : kTable) h += fmt(" %*s", t.width, t.heading);
  h += "  status";
  out_ << h << '\n';
  table_header_done_ = true;
}

void ConsoleReporter::on_step_done(const Row& row, const StepResult& result) {
  // An interrupted step's row is written, but the step did not finish.
  if (row.status != "interrupted") ++steps_done_;
  if (row.status == "failed") ++steps_failed_;
  if (row.status == "skipped") ++steps_skipped_;
  clear_progress();
  if (quiet_) {
    if (row.status != "ok") {
      out_ << "step " << row.step << " (r" << row.repeat << ") " << printable(row.status);
      if (!row.error.empty()) out_ << ": " << printable(row.error);
      out_ << '\n';
      out_.flush();
    }
    return;
  }
  if (info_.sweep_keys.empty() && !row.swept.empty()) {
    for (const auto& [k, v] : row.swept) info_.sweep_keys.push_back(k);
  }
  if (!table_header_done_) print_table_header();

  std::string step = std::to_string(row.step);
  if (info_.repeats > 1) step += "/r" + std::to_string(row.repeat);
  std::string line = fmt("%6s", fit(step, 6).c_str());
  for (const auto& key : info_.sweep_keys) {
    if (own_column(key)) continue;
    std::string value;
    for (const auto& [k, v] : row.swept) {
      if (k == key) value = v;
    }
    const int w = sweep_width(key);
    line += fmt(" %*s", w, fit(value, w).c_str());
  }
  for (const auto& t : kTable) {
    const Column* c = find_column(t.column);
    const std::string cell = c ? row.cell(*c) : "";
    line += fmt(" %*s", t.width, cell.empty() ? "-" : cell.c_str());  // "-": not measured
  }
  line += "  " + printable(row.status);
  if (!row.error.empty()) line += ": " + printable(row.error);
  out_ << line << '\n';
  if (row.status != "skipped") {
    const PerfSummary s = perf_summary(result);
    produce_total_.add(s.produce, result.measured_s);
    e2e_total_.add(s.e2e, result.measured_s);
    print_summary(s, "       ");
    if (latency_block_) {
      for (const auto* side : {&s.produce, &s.e2e}) {
        if (!side->measured) continue;
        out_ << "       " << (side == &s.produce ? "produce (ack)" : "end-to-end")
             << " latency distribution:\n"
             << percentile_block(side->latency, "       ");
      }
    }
  }
  out_.flush();
}

void ConsoleReporter::on_run_end(bool interrupted) {
  clear_progress();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const int total = info_.total_steps * std::max(1, info_.repeats);
  std::string line = "hydra: ";
  if (interrupted) {
    line += fmt("interrupted after %d", steps_done_);
    if (total > 0) line += fmt(" of %d", total);
    line += " steps";
  } else {
    line += fmt("done: %d step%s", steps_done_, steps_done_ == 1 ? "" : "s");
  }
  line += fmt(" (%d ok, %d failed, %d skipped) in %s", steps_done_ - steps_failed_ - steps_skipped_,
              steps_failed_, steps_skipped_, duration(took).c_str());
  if (!info_.out_dir.empty()) line += "; results in " + printable(info_.out_dir);
  if (!quiet_ && (produce_total_.side.measured || e2e_total_.side.measured)) {
    out_ << "hydra: summary of the measured steps together:\n";
    print_summary({produce_total_.finish(), e2e_total_.finish()}, "  ");
  }
  out_ << line << '\n';
  out_.flush();
}

}  // namespace hydra
