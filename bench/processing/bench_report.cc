#include "bench/processing/bench_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace hydra::bench {

void write_csv_header(std::ostream& os) {
  os << "kind,device,threads,batch,records_per_s,p50_added_ms,p99_added_ms,cpu_ns_per_record\n";
}

void write_csv_row(std::ostream& os, const BenchPoint& p) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%s,%s,%d,%d,%.0f,%.4f,%.4f,%.1f\n", p.kind.c_str(),
                p.device.c_str(), p.threads, p.batch, p.records_per_s, p.p50_added_ms,
                p.p99_added_ms, p.cpu_ns_per_record);
  os << buf;
}

void print_table_header(std::ostream& os) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%-11s %-4s %7s %7s %14s %12s %12s %10s\n", "kind", "dev",
                "threads", "batch", "records/s", "p50 add ms", "p99 add ms", "cpu ns/rec");
  os << buf;
}

void print_table_row(std::ostream& os, const BenchPoint& p) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%-11s %-4s %7d %7d %14.0f %12.3f %12.3f %10.1f\n",
                p.kind.c_str(), p.device.c_str(), p.threads, p.batch, p.records_per_s,
                p.p50_added_ms, p.p99_added_ms, p.cpu_ns_per_record);
  os << buf;
  os.flush();
}

void print_crossovers(std::ostream& os, const std::vector<BenchPoint>& points) {
  std::vector<std::string> kinds;
  for (const auto& p : points)
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) kinds.push_back(p.kind);
  for (const auto& kind : kinds) {
    int max_threads = 0;
    for (const auto& p : points)
      if (p.kind == kind && p.device == "cpu") max_threads = std::max(max_threads, p.threads);
    std::map<int, double> cpu, gpu;
    for (const auto& p : points) {
      if (p.kind != kind) continue;
      if (p.device == "gpu") gpu[p.batch] = p.records_per_s;
      if (p.device == "cpu" && p.threads == max_threads) cpu[p.batch] = p.records_per_s;
    }
    os << kind << ": ";
    if (gpu.empty()) {
      os << "no GPU points\n";
      continue;
    }
    int crossover = 0;
    for (const auto& [batch, rate] : gpu)
      if (cpu.count(batch) && rate > cpu[batch]) {
        crossover = batch;
        break;
      }
    if (crossover == 0)
      os << "GPU never beats the CPU on " << max_threads << " threads\n";
    else
      os << "GPU beats the CPU on " << max_threads << " threads from batch " << crossover << "\n";
  }
}

}  // namespace hydra::bench
