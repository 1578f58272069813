// hydra_fanout_bench: what a subscriber client costs in Hydra against a raw
// librdkafka program (raw_fanout.h) reading the same stream, at N clients x
// R msg/s, on one embedded broker, in one run.
//
// Per point, each side in turn (never both at once): a Hydra publisher agent
// sends R msg/s of 100 B to a 1-partition topic, every client reads all of
// it. Delivered/s is the messages all clients read over --seconds; CPU per
// delivered message is the consumer processes' CPU (all their threads, from
// schedstat) over the same span. Hydra's clients are hydra-agent processes of
// --clients-per-agent clients with subscribers.groups "none", driven over
// ZeroMQ as the controller drives them. The idle point (--idle-clients at
// --idle-rate msg/s) splits CPU per thread (/proc/<pid>/task/*/stat): Hydra's
// own threads (all but librdkafka's "rdk:" and libzmq's "ZMQbg" ones) against
// the raw program's polling threads.
//
// Exit codes: 0 ran (ratios below target included: a benchmark, not a test),
// 1 the broker, an agent or the raw program failed, 2 bad usage.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <zmq.hpp>

#include "bench/fanout/proc_threads.h"
#include "bench/fanout/raw_fanout.h"
#include "common/clock.h"
#include "harness/agent_launcher.h"
#include "harness/agent_pool.h"
#include "harness/embedded_broker.h"

namespace po = boost::program_options;
using namespace std::chrono_literals;
using hydra::proto::Command;

namespace hydra::bench {
namespace {

const char* const kTopic = "fanout";

struct Options {
  std::vector<int> clients{10, 50, 100, 300, 500};
  std::vector<double> rates{1000, 3000};
  double seconds = 3;
  double warmup_s = 1;
  int idle_clients = 300;
  double idle_rate = 10;
  int per_agent = 100;  // Hydra's default (subscribers.clients_per_agent)
  int raw_threads = 2;
};

template <typename T>
std::vector<T> parse_list(const std::string& s, const char* what) {
  std::vector<T> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::istringstream v(item);
    T x{};
    if (!(v >> x) || x <= 0)
      throw std::invalid_argument(std::string(what) + ": \"" + item +
                                  "\" is not a positive number");
    out.push_back(x);
  }
  if (out.empty()) throw std::invalid_argument(std::string(what) + ": empty list");
  return out;
}

// One side's figures at one point.
struct Figures {
  double delivered_per_s = 0;
  double cpu_us_per_msg = 0;
  std::map<std::string, uint64_t> thread_cpu;   // by thread name, over the span
  std::map<std::string, uint64_t> thread_runs;  // times put on a CPU, same grouping
  double span_s = 0;
};

// The raw program as a child process, spoken to over its stdin/stdout.
class RawChild {
 public:
  RawChild(const std::string& self, const std::string& bootstrap, int clients, int threads,
           int per_agent) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) throw std::runtime_error("raw child: pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("raw child: fork failed");
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      const std::string c = std::to_string(clients), t = std::to_string(threads),
                        a = std::to_string(per_agent);
      execl(self.c_str(), self.c_str(), "--raw-child", "--bootstrap", bootstrap.c_str(),
            "--raw-clients", c.c_str(), "--raw-threads", t.c_str(), "--clients-per-agent",
            a.c_str(), nullptr);
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = fdopen(in[1], "w");
    from_ = fdopen(out[0], "r");
  }
  ~RawChild() {
    if (to_) {
      std::fputs("quit\n", to_);
      std::fflush(to_);
      std::fclose(to_);
    }
    if (from_) std::fclose(from_);
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(50ms);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Blocks until the child says "ready"; throws with what it said instead.
  void await_ready() {
    const std::string l = line();
    if (l != "ready") throw std::runtime_error("raw child: " + (l.empty() ? "exited" : l));
  }
  uint64_t count() {
    std::fputs("count\n", to_);
    std::fflush(to_);
    return std::stoull(line());
  }

 private:
  std::string line() {
    char buf[512];
    if (!std::fgets(buf, sizeof buf, from_)) return "";
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

class Bench {
 public:
  Bench(const Options& o, std::string self)
      : o_(o),
        self_(std::move(self)),
        broker_(1),
        launcher_(AgentLauncher::default_agent_binary(), ""),
        pool_(launcher_, ctx_) {
    broker_.create_topic(kTopic, 1, 1);
    pool_.ensure(1, 0, 20s);
  }

  int run() {
    std::printf("# hydra_fanout_bench: %zu client counts x %zu rates, %.1f s a point; load %s\n",
                o_.clients.size(), o_.rates.size(), o_.seconds, loadavg().c_str());
    for (int n : o_.clients) {
      std::vector<double> rates = o_.rates;
      const bool idle = n == o_.idle_clients;
      if (idle) rates.push_back(o_.idle_rate);
      std::map<double, Figures> raw, hydra;
      {
        RawChild child(self_, broker_.bootstrap(), n, o_.raw_threads, o_.per_agent);
        child.await_ready();
        for (double r : rates) raw[r] = measure(r, [&] { return child.count(); }, {child.pid()});
      }
      const double ready_s = start_hydra(n);
      for (double r : rates)
        hydra[r] = measure(
            r, [&] { return hydra_count(); }, agent_pids());
      const double rss_mb = rss_per_client_mb(n);
      stop_hydra();
      for (double r : o_.rates) print_point(n, r, raw[r], hydra[r]);
      std::printf("  N=%d: hydra ready in %.2f s (groups none), RSS per client %.2f MiB\n", n,
                  ready_s, rss_mb);
      if (idle) print_idle(n, raw[o_.idle_rate], hydra[o_.idle_rate]);
      std::fflush(stdout);
    }
    std::printf("# load at the end: %s\n", loadavg().c_str());
    return 0;
  }

 private:
  static std::string loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
  }

  Reply must(FleetAgent& a, Command cmd, const nlohmann::json& body) {
    Reply r = pool_.call(a, cmd, body, 30s);
    if (!r.ok) throw std::runtime_error(a.describe() + ": " + r.error);
    return r;
  }
  std::vector<Reply> must_all(Command cmd, const std::function<nlohmann::json(size_t)>& body) {
    auto replies = pool_.call_all(pool_.subscribers(), cmd, body, 60s);
    for (size_t i = 0; i < replies.size(); ++i)
      if (!replies[i].ok)
        throw std::runtime_error(pool_.subscribers()[i]->describe() + ": " + replies[i].error);
    return replies;
  }

  std::vector<pid_t> agent_pids() {
    std::vector<pid_t> pids;
    for (FleetAgent* a : pool_.subscribers())
      pids.push_back(static_cast<AgentHandle*>(a)->proc.pid);
    return pids;
  }
  int clients_of(int n, size_t agent) const {
    return std::min(o_.per_agent, n - int(agent) * o_.per_agent);
  }

  // Starts Hydra's subscriber agents for n clients; returns the seconds from
  // start to every client ready.
  double start_hydra(int n) {
    const int agents = (n + o_.per_agent - 1) / o_.per_agent;
    pool_.ensure(1, agents, 20s);
    must_all(Command::kConfigure, [&](size_t k) {
      return nlohmann::json{{"config",
                             {{"bootstrap", broker_.bootstrap()},
                              {"topic", kTopic},
                              {"clients", clients_of(n, k)},
                              {"first_client_id", int(k) * o_.per_agent},
                              {"groups", "none"},
                              {"group_prefix", "fanout"}}}};
    });
    const int64_t t0 = mono_ns();
    must_all(Command::kStart, [](size_t) { return nlohmann::json::object(); });
    for (;;) {
      bool all = true;
      int ready = 0;
      std::string error;
      for (const auto& r :
           must_all(Command::kStatus, [](size_t) { return nlohmann::json::object(); })) {
        all = all && r.body.value("ready", false);
        ready += r.body.value("clients_ready", 0);
        if (error.empty()) error = r.body.value("error", "");
      }
      if (all) break;
      if (mono_ns() - t0 > 120'000'000'000)
        throw std::runtime_error("hydra: " + std::to_string(ready) + " of " + std::to_string(n) +
                                 " clients ready after 120 s" +
                                 (error.empty() ? "" : " (first error: " + error + ")"));
      std::this_thread::sleep_for(10ms);
    }
    return double(mono_ns() - t0) / 1e9;
  }
  void stop_hydra() {
    must_all(Command::kStop, [](size_t) { return nlohmann::json::object(); });
  }

  uint64_t hydra_count() {
    uint64_t n = 0;
    for (const auto& r : must_all(Command::kStats, [](size_t) {
           return nlohmann::json{{"histograms", false}};
         }))
      for (const auto& c : r.body.value("clients", nlohmann::json::array()))
        n += c.value("received", uint64_t(0));
    return n;
  }

  double rss_per_client_mb(int n) {
    double most = 0;
    const auto pids = agent_pids();
    for (size_t k = 0; k < pids.size(); ++k)
      most = std::max(most, double(process_rss_bytes(pids[k])) / 1048576.0 / clients_of(n, k));
    return most;
  }

  // Publishes at `rate` and measures one side over --seconds after the
  // warm-up.
  Figures measure(double rate, const std::function<uint64_t()>& count,
                  const std::vector<pid_t>& pids) {
    FleetAgent& pub = pool_.publisher();
    must(pub, Command::kConfigure,
         {{"config",
           {{"bootstrap", broker_.bootstrap()},
            {"topic", kTopic},
            {"partitions", 1},
            {"producer_id", 1},
            {"rate", rate},
            {"message_size", 100},
            {"linger_ms", 5},
            {"acks", "1"}}}});
    must(pub, Command::kStart, nlohmann::json::object());
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmup_s));
    auto cpu = [&] {
      uint64_t ns = 0;
      for (pid_t p : pids) ns += process_cpu_ns(p);
      return ns;
    };
    std::vector<std::map<int, ThreadCpu>> threads0;
    for (pid_t p : pids) threads0.push_back(process_threads(p));
    const uint64_t c0 = count(), cpu0 = cpu();
    const int64_t t0 = mono_ns();
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.seconds));
    const uint64_t c1 = count(), cpu1 = cpu();
    const int64_t t1 = mono_ns();
    Figures f;
    for (size_t i = 0; i < pids.size(); ++i) {
      const auto threads1 = process_threads(pids[i]);
      for (const auto& [name, ns] : cpu_by_name(threads0[i], threads1)) f.thread_cpu[name] += ns;
      for (const auto& [name, n] : runs_by_name(threads0[i], threads1)) f.thread_runs[name] += n;
    }
    must(pub, Command::kStop, nlohmann::json::object());
    f.span_s = double(t1 - t0) / 1e9;
    f.delivered_per_s = double(c1 - c0) / f.span_s;
    f.cpu_us_per_msg = c1 > c0 ? double(cpu1 - cpu0) / 1e3 / double(c1 - c0) : NAN;
    return f;
  }

  void print_point(int n, double r, const Figures& raw, const Figures& hy) {
    if (!header_done_) {
      std::printf("%6s %7s %12s %12s %7s %10s %10s %7s\n", "N", "R", "raw del/s", "hydra del/s",
                  "ratio", "raw us/msg", "hyd us/msg", "ratio");
      header_done_ = true;
    }
    std::printf("%6d %7.0f %12.0f %12.0f %7.3f %10.2f %10.2f %7.3f\n", n, r, raw.delivered_per_s,
                hy.delivered_per_s, hy.delivered_per_s / raw.delivered_per_s, raw.cpu_us_per_msg,
                hy.cpu_us_per_msg, hy.cpu_us_per_msg / raw.cpu_us_per_msg);
    if (verbose_) {
      // Where the CPU per message goes: thread groups, us per delivered message.
      auto split = [](const char* side, const Figures& f) {
        std::vector<std::pair<uint64_t, std::string>> v;
        for (const auto& [name, ns] : f.thread_cpu) v.emplace_back(ns, name);
        std::sort(v.rbegin(), v.rend());
        const double msgs = f.delivered_per_s * f.span_s;
        std::printf("         %s us/msg by thread:", side);
        for (size_t i = 0; i < std::min<size_t>(5, v.size()); ++i)
          std::printf(" %s %.2f;", v[i].second.c_str(),
                      msgs > 0 ? double(v[i].first) / 1e3 / msgs : NAN);
        std::printf("\n");
      };
      split("raw  ", raw);
      split("hydra", hy);
    }
  }

  // Idle cost: CPU of each side's own threads at the idle rate, % of a core.
  void print_idle(int n, const Figures& raw, const Figures& hy) {
    double raw_own = 0, hy_own = 0, raw_runs = 0, hy_runs = 0;
    for (const auto& [name, ns] : raw.thread_cpu)
      if (name == "raw-poll") raw_own += double(ns), raw_runs += double(raw.thread_runs.at(name));
    for (const auto& [name, ns] : hy.thread_cpu)
      if (!library_thread(name)) hy_own += double(ns), hy_runs += double(hy.thread_runs.at(name));
    raw_own = 100 * raw_own / 1e9 / raw.span_s;
    hy_own = 100 * hy_own / 1e9 / hy.span_s;
    std::printf(
        "  idle N=%d at %.0f msg/s: own threads %.1f %% of a core (hydra) vs %.1f %% (raw polling "
        "threads), ratio %.2f\n",
        n, o_.idle_rate, hy_own, raw_own, raw_own > 0 ? hy_own / raw_own : NAN);
    // What an idle cost is made of: how often the threads wake, and what a
    // wake-up costs (a context switch in and out is most of it).
    std::printf(
        "    own threads' wake-ups: %.0f/s (hydra) vs %.0f/s (raw), %.1f vs %.1f us CPU each\n",
        hy_runs / hy.span_s, raw_runs / raw.span_s,
        hy_runs > 0 ? hy_own * 1e4 / hy_runs * hy.span_s : NAN,
        raw_runs > 0 ? raw_own * 1e4 / raw_runs * raw.span_s : NAN);
    auto top = [](const char* side, const Figures& f) {
      std::vector<std::pair<uint64_t, std::string>> v;
      for (const auto& [name, ns] : f.thread_cpu) v.emplace_back(ns, name);
      std::sort(v.rbegin(), v.rend());
      std::printf("    %s threads by CPU (%% of a core, all processes):", side);
      for (size_t i = 0; i < std::min<size_t>(6, v.size()); ++i)
        std::printf(" %s %.1f;", v[i].second.c_str(), 100 * double(v[i].first) / 1e9 / f.span_s);
      std::printf("\n");
    };
    top("hydra", hy);
    top("raw", raw);
  }

  Options o_;
  std::string self_;
  EmbeddedBroker broker_;
  zmq::context_t ctx_{1};
  AgentLauncher launcher_;
  AgentPool pool_;
  bool header_done_ = false;

 public:
  bool verbose_ = false;
};

}  // namespace
}  // namespace hydra::bench

int main(int argc, char** argv) {
  std::string clients, rates, bootstrap;
  hydra::bench::Options o;
  hydra::bench::RawOptions raw;
  po::options_description desc(
      "hydra_fanout_bench: Hydra's subscriber clients against a raw librdkafka program at N "
      "clients x R msg/s, on one embedded broker");
  desc.add_options()("help", "this text")(
      "clients", po::value(&clients)->default_value("10,50,100,300,500"), "client counts N")(
      "rates", po::value(&rates)->default_value("1000,3000"), "publish rates R, msg/s")(
      "seconds", po::value(&o.seconds)->default_value(3), "measured seconds a point")(
      "warmup", po::value(&o.warmup_s)->default_value(1), "seconds before each measurement")(
      "idle-clients", po::value(&o.idle_clients)->default_value(300),
      "the N (one of --clients) also measured idle")(
      "idle-rate", po::value(&o.idle_rate)->default_value(10), "msg/s of the idle point")(
      "clients-per-agent", po::value(&o.per_agent)->default_value(100),
      "Hydra clients per agent (Hydra's default; HYDRA ran 10)")(
      "raw-threads", po::value(&raw.threads)->default_value(2),
      "the raw program's polling threads")(
      "threads", "also print each point's CPU per message by thread group")(
      "raw-child", "internal: run as the raw program")("bootstrap", po::value(&bootstrap),
                                                       "internal: the raw program's broker")(
      "raw-clients", po::value(&raw.clients), "internal: the raw program's consumers");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    if (vm.count("raw-child")) {
      raw.bootstrap = bootstrap;
      raw.topic = hydra::bench::kTopic;
      raw.clients_per_agent = o.per_agent;
      return hydra::bench::run_raw_child(raw);
    }
    o.clients = hydra::bench::parse_list<int>(clients, "--clients");
    o.rates = hydra::bench::parse_list<double>(rates, "--rates");
    o.raw_threads = raw.threads;
    if (o.seconds <= 0 || o.warmup_s < 0 || o.per_agent < 1 || o.raw_threads < 1)
      throw std::invalid_argument(
          "--seconds must be > 0, --warmup >= 0, --clients-per-agent and --raw-threads >= 1");
  } catch (const std::exception& e) {
    std::cerr << "hydra_fanout_bench: " << e.what() << "\n";
    return 2;
  }
  try {
    signal(SIGPIPE, SIG_IGN);
    hydra::bench::Bench bench(o, "/proc/self/exe");
    bench.verbose_ = vm.count("threads") > 0;
    return bench.run();
  } catch (const std::exception& e) {
    std::cerr << "hydra_fanout_bench: " << e.what() << "\n";
    return 1;
  }
}
