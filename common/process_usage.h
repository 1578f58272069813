// Reads this process's CPU time and memory (for pub_cpu, sub_cpu, sub_rss_mb).
#pragma once

#include "common/stats.h"

namespace hydra {

ProcessUsage read_process_usage();

}  // namespace hydra
