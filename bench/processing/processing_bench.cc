// hydra_processing_bench: "does a GPU help, from which batch size, and what
// does it cost in latency?" Replays in-memory sensor records through every
// kind x device (cpu with 1 thread, cpu with all cores, gpu when usable) x
// batch size; prints a table and writes a CSV for
//   gnuplot -e "csv='FILE'; out='PNG'" tools/plot/processing_bench.gp
//
// Each point runs at saturation (records are submitted as fast as the
// processor takes them) for --seconds (at least 3 batches), so added latency
// is batch fill time + processing + queueing at full throughput.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#ifdef HYDRA_BENCH_CUDA
#include <cuda_runtime_api.h>
#endif

#include "bench/processing/bench_report.h"
#include "bench/processing/replay.h"

namespace po = boost::program_options;

namespace {

struct Options {
  std::string out;
  double seconds = 0.5;
  std::string kinds = "window-agg,zscore,mlp";
  std::string batches = "256,1024,4096,16384,65536,262144";
  std::string devices = "cpu1,cpu-all,gpu";
  int threads = 0;  // cpu-all thread count; 0: hardware concurrency
  int keys = 4096;
  int window_ms = 100;
};

// The CUDA runtime linked in and the CUDA version the driver supports, so a
// report (tools/gpu-check) can say what ran; "not built in" for a CPU build.
std::string cuda_versions() {
#ifdef HYDRA_BENCH_CUDA
  auto text = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
  int runtime = 0;
  int driver = 0;
  cudaRuntimeGetVersion(&runtime);
  const bool has_driver = cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0;
  return "runtime " + text(runtime) + ", driver " + (has_driver ? text(driver) : "none");
#else
  return "not built in";
#endif
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hydra;
  Options o;
  po::options_description desc("hydra_processing_bench options");
  desc.add_options()                                                                           //
      ("help,h", "this help")                                                                  //
      ("out", po::value(&o.out), "CSV file to write (default: none)")                          //
      ("seconds", po::value(&o.seconds)->default_value(o.seconds), "measured time per point")  //
      ("kinds", po::value(&o.kinds)->default_value(o.kinds), "comma-separated kinds")          //
      ("batches", po::value(&o.batches)->default_value(o.batches),
       "comma-separated batch sizes")  //
      ("devices", po::value(&o.devices)->default_value(o.devices),
       "comma-separated: cpu1, cpu-all, gpu")  //
      ("threads", po::value(&o.threads)->default_value(o.threads),
       "threads for cpu-all (0: all cores)")                                //
      ("keys", po::value(&o.keys)->default_value(o.keys), "distinct keys")  //
      ("window-ms", po::value(&o.window_ms)->default_value(o.window_ms), "window-agg window");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "hydra_processing_bench: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (o.seconds <= 0 || o.keys < 1) {
    std::cerr << "hydra_processing_bench: --seconds must be > 0 and --keys >= 1\n";
    return 2;
  }
  const int all =
      o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));

  std::vector<int> batches;
  try {
    for (const auto& b : split(o.batches)) batches.push_back(std::stoi(b));
  } catch (const std::exception&) {
    std::cerr << "hydra_processing_bench: --batches must be integers\n";
    return 2;
  }
  int max_batch = 1;
  for (int b : batches) max_batch = std::max(max_batch, b);

  std::ofstream csv;
  if (!o.out.empty()) {
    csv.open(o.out);
    if (!csv) {
      std::cerr << "hydra_processing_bench: cannot write " << o.out << "\n";
      return 1;
    }
    bench::write_csv_header(csv);
  }

  std::string why;
  const bool gpu = gpu_available(&why);
  std::cout << "GPU: " << (gpu ? why : "none (" + why + ")") << "\n"
            << "CUDA: " << cuda_versions() << "\n"
            << "CPU: " << std::thread::hardware_concurrency() << " hardware threads; " << o.keys
            << " keys; " << o.seconds << " s per point\n\n";

  // Enough distinct records that the largest batch sees 4 batches' worth.
  const bench::RecordPool pool(size_t(std::max(1 << 20, 4 * max_batch)), uint32_t(o.keys));
  uint32_t key_slots = 1;
  while (key_slots < uint32_t(o.keys)) key_slots <<= 1;

  bench::ReplayOptions ropt;
  ropt.seconds = o.seconds;
  std::vector<bench::BenchPoint> points;
  bench::print_table_header(std::cout);
  for (const auto& kind : split(o.kinds)) {
    for (const auto& dev : split(o.devices)) {
      ProcessingConfig cfg;
      cfg.kind = kind;
      cfg.linger_ms = 1e6;  // batches are cut by size; the last one by drain
      cfg.window_ms = o.window_ms;
      cfg.key_slots = int(key_slots);
      if (dev == "cpu1") {
        cfg.device = "cpu";
        cfg.threads = 1;
      } else if (dev == "cpu-all") {
        if (all == 1 && o.devices.find("cpu1") != std::string::npos) continue;  // same as cpu1
        cfg.device = "cpu";
        cfg.threads = all;
      } else if (dev == "gpu") {
        if (!gpu) continue;
        cfg.device = "gpu";
      } else {
        std::cerr << "hydra_processing_bench: unknown device '" << dev << "'\n";
        return 2;
      }
      for (int batch : batches) {
        cfg.batch = batch;
        try {
          const auto p = bench::replay(cfg, pool, ropt);
          bench::print_table_row(std::cout, p);
          if (csv) bench::write_csv_row(csv, p);
          csv.flush();  // a run cut short by a time limit keeps its rows
          points.push_back(p);
        } catch (const std::exception& e) {
          std::cerr << "hydra_processing_bench: " << kind << " " << dev << " batch " << batch
                    << ": " << e.what() << "\n";
          return 1;
        }
      }
    }
  }
  std::cout << "\n";
  bench::print_crossovers(std::cout, points);
  if (csv) {
    csv.close();
    std::cout << "wrote " << o.out << "\n";
  }
  return 0;
}
