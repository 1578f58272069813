// The whole macro comparison in one call: starts one embedded broker, runs
// the publisher and subscriber comparisons round by round, prints each
// measurement as it lands and the summary at the end, writes the CSV.
#pragma once

#include <ostream>

#include "bench/macro/macro_options.h"

namespace hydra::bench {

// Returns 0 when every comparison ran (whatever the ratios: this is a
// benchmark, not a test), 1 when the broker could not start or the CSV could
// not be written.
int run_macro(const MacroOptions& o, std::ostream& os);

// An upper bound on how long run_macro() takes with these options when
// every wait runs to its limit; the caller's watchdog uses it.
double worst_case_seconds(const MacroOptions& o);

}  // namespace hydra::bench
