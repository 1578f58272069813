// Rate searches (scenario key `mode`): for one step of the sweep, find the
// highest publish rate the set-up keeps up with ("find-max-rate") or the
// highest with loss <= max_loss_pct ("find-lossless-rate"), as the original
// HYDRA scanner did. cmd_run.cc makes one RateSearch per step and gives it a
// function that runs the step once at a given rate and returns its row; the
// search decides the next rate from the rows, so it is tested with a fake
// set-up of known capacity (tests/harness/search_test.cc) and no agents.
//
// The search: probe publisher.rate (1000 when it is 0); while probes keep
// up, double the rate ("grow"); while none has yet, halve it ("descend", so
// a start above the capacity still finds one and the answer is never 0 by
// construction); once one rate kept up and a higher one did not, bisect
// between them until they are within `tolerance` of each other ("bisect").
// At most max_probes probes: a search that runs out reports the best rate so
// far as "bounded".
//
// A probe keeps up when its row (status ok) shows the publisher reached at
// least keep_up_fraction of the target rate, its send delay p99 (schedule
// slip: the publisher falling behind) stayed under max_send_delay_ms, the
// broker acknowledged all but max_unacked_fraction of what it sent (backlog),
// and, growing, the achieved rate grew by at least growth_min over the last
// good probe (HYDRA's "until the achieved rate grows by < 2 %"). The
// lossless search also wants average_packet_loss <= max_loss_pct.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/reporter.h"
#include "harness/row.h"
#include "harness/sweep.h"

namespace hydra {

enum class SearchMode { kMaxRate, kLosslessRate };

// "find-max-rate" / "find-lossless-rate" (the scenario's mode); nullopt for
// "sweep" or anything else.
std::optional<SearchMode> search_mode(const std::string& mode);

struct SearchOptions {
  SearchMode mode = SearchMode::kMaxRate;
  double start_rate = 1000;  // msg/s; <= 0 means 1000
  double max_loss_pct = 0.5;
  int max_probes = 12;
  double growth_min = 0.02;
  double keep_up_fraction = 0.98;
  double max_send_delay_ms = 100;
  double max_unacked_fraction = 0.01;
  // Bisection ends when the gap between the best good rate and the lowest
  // bad one is at most this fraction of the good one.
  double tolerance = 0.05;
};

// One probe, as judged.
struct Probe {
  int number = 0;                  // 1-based
  double rate = 0;                 // target msg/s
  std::string phase;               // "grow", "descend" or "bisect"
  bool good = false;               // kept up (and, lossless, lost at most max_loss_pct)
  std::string verdict;             // "keeps up", "saturated (...)", "lossy (...)", "failed: ..."
  std::optional<double> achieved;  // average_tx_rate
  std::optional<double> loss_pct;  // average_packet_loss
};

// The search's answer for one step.
struct SearchAnswer {
  // "found" (bisection converged), "bounded" (ran out of probes with a good
  // rate), "none" (no probe kept up), "interrupted", "skipped".
  std::string status;
  std::optional<double> rate;             // the highest target rate that kept up
  std::optional<double> achieved;         // what that probe achieved
  std::optional<double> loss_pct;         // and lost
  std::optional<double> lowest_bad_rate;  // the lowest rate that did not keep up
  int probes = 0;
  std::vector<Probe> history;
};

class RateSearch {
 public:
  // Runs the step once at `rate` msg/s and returns its row.
  using RunProbe = std::function<Row(double rate)>;
  // Told of each probe once judged, with its row (its `probe` and `search`
  // columns set): where the caller reports the row.
  using OnProbe = std::function<void(const Probe&, const Row&)>;

  explicit RateSearch(SearchOptions options);

  SearchAnswer run(const RunProbe& run_probe, const OnProbe& on_probe = nullptr) const;

  // The verdict on one probe's row; `last_good` is the achieved rate of the
  // last good probe when growing (for the growth rule), else nullopt.
  Probe judge(const Row& row, double rate, const std::string& phase,
              std::optional<double> last_good) const;

 private:
  SearchOptions options_;
};

// The search options a scenario asks for (mode, publisher.rate as the start,
// max_loss_pct, max_probes); nullopt when its mode is "sweep".
std::optional<SearchOptions> search_options(const Scenario& scenario);

// Runs one step's search for `hydra run`: each probe is the step with
// publisher.rate set to the probe's rate, run by run_once(step, n) (n: the
// probe's index from 0, which becomes the row's repeat, so each probe has its
// own steps/ and latency/ files), and reported as a row.
using RunOnce = std::function<std::pair<Row, StepResult>(const Step& step, int index)>;
SearchAnswer search_step(const Step& step, const SearchOptions& options, const RunOnce& run_once,
                         Reporter& reporter);

// search.csv: the answer of each step of a search run. The header is the
// sweep keys, then step, mode, the columns of search_csv_columns().
const std::vector<std::string>& search_csv_columns();
// One search.csv record (not escaped): the step's sweep values (as printed
// in results.csv), its index, the mode and the answer.
std::vector<std::string> search_csv_record(const std::vector<std::string>& swept_values, int step,
                                           const std::string& mode, const SearchAnswer& answer);

// The line `hydra run` prints for an answer, e.g.
//   "step 0 (publisher.acks=all): find-max-rate: 48000 msg/s (achieved 47950.2) after 9 probes"
std::string describe_answer(const std::string& step_label, const std::string& mode,
                            const SearchAnswer& answer);

}  // namespace hydra
