// Output of hydra_processing_bench: the CSV file the plot script reads, and a
// console table with the CPU/GPU crossover per kind.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "bench/processing/replay.h"

namespace hydra::bench {

// Header: kind,device,threads,batch,records_per_s,p50_added_ms,p99_added_ms,
// then cpu_ns_per_record (more columns may follow; these keep their place).
void write_csv_header(std::ostream& os);
void write_csv_row(std::ostream& os, const BenchPoint& p);

void print_table_header(std::ostream& os);
void print_table_row(std::ostream& os, const BenchPoint& p);

// Per kind: the first batch size at which the GPU's throughput beats the CPU
// with all cores (the highest thread count measured), or why there is none.
void print_crossovers(std::ostream& os, const std::vector<BenchPoint>& points);

}  // namespace hydra::bench
