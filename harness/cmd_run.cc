// hydra run: run a scenario's sweep end to end and write its results.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <zmq.hpp>

#include "agents/driver_registry.h"
#include "harness/agent_launcher.h"
#include "harness/agent_pool.h"
#include "harness/aggregate.h"
#include "harness/broker_setup.h"
#include "harness/client_errors.h"
#include "harness/columns.h"
#include "harness/commands.h"
#include "harness/console_reporter.h"
#include "harness/csv_reporter.h"
#include "harness/fault_timeline.h"
#include "harness/hgrm_writer.h"
#include "harness/interrupt.h"
#include "harness/json_reporter.h"
#include "harness/launcher_hosts.h"
#include "harness/plot.h"
#include "harness/preflight.h"
#include "harness/provenance.h"
#include "harness/report_html.h"
#include "harness/row.h"
#include "harness/scenario.h"
#include "harness/scenario_args.h"
#include "harness/search.h"
#include "harness/step_runner.h"
#include "harness/sweep.h"

namespace fs = std::filesystem;

namespace hydra {
namespace {

// Longest wait of each check made before the first step.
constexpr int kPreflightTimeoutMs = 3000;

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&now));
  return buf;
}

// "step 2 (publisher.acks=all)": how the search answers name their step.
std::string step_label(const Step& step) {
  std::string out = "step " + std::to_string(step.index);
  std::string swept;
  for (const auto& [key, value] : step.swept)
    swept += (swept.empty() ? "" : ", ") + key + "=" + format_swept_value(value);
  return swept.empty() ? out : out + " (" + swept + ")";
}

// search.csv: one record per step searched (docs/contracts.md).
std::string write_search_csv(const fs::path& path, const std::vector<std::string>& sweep_keys,
                             const std::vector<Step>& steps, const std::string& mode,
                             const std::vector<SearchAnswer>& answers) {
  std::ofstream out(path, std::ios::out | std::ios::trunc | std::ios::binary);
  std::vector<std::string> header = sweep_keys;
  header.push_back("step");
  header.push_back("mode");
  for (const auto& c : search_csv_columns()) header.push_back(c);
  out << csv_line(header);
  for (size_t i = 0; i < answers.size() && i < steps.size(); ++i) {
    std::vector<std::string> swept;
    for (const auto& [key, value] : steps[i].swept) swept.push_back(format_swept_value(value));
    out << csv_line(search_csv_record(swept, steps[i].index, mode, answers[i]));
  }
  out.flush();
  return out ? "" : "cannot write " + path.string();
}

}  // namespace

int cmd_run(const Args& args, const std::string& argv0) {
  int usage_code = 2;
  const auto opt = parse_scenario_args(args, "run", /*run_options=*/true, &usage_code);
  if (!opt) return usage_code;
  // The controller's own Kafka clients (broker check, topic admin, the mock
  // cluster) log into logs/controller.log, never raw onto the console.
  ControllerClientLog client_log;
  Scenario sc;
  std::vector<Step> steps;
  try {
    sc = load_scenario(opt->scenario, opt->sets);
    steps = expand_steps(sc);
  } catch (const ScenarioError& e) {
    std::cerr << "hydra run: " << e.what() << "\n";
    return 2;
  }
  // What would fail every step the same way is found once, before anything
  // starts: a client property librdkafka refuses (bad usage: 2), brokers that
  // do not answer or a topic that cannot be made (1). Each check is bounded
  // (a few seconds), and no results folder is left behind.
  if (const std::string e = check_client_properties(steps); !e.empty()) {
    std::cerr << "hydra run: " << e << "\n";
    return 2;
  }
  std::set<std::string> checked;
  for (const Step& step : steps) {
    const ScenarioBroker& b = step.scenario.broker;
    if (b.embedded() || !checked.insert(b.bootstrap).second) continue;
    if (const std::string e =
            check_brokers(b.bootstrap, broker_check_properties(step.scenario), kPreflightTimeoutMs);
        !e.empty()) {
      std::cerr << "hydra run: broker: " << e << "\n";
      return 1;
    }
  }
  // Where the agents run (agents.*: the same for every step). Key files and
  // DNS names are read now, so a typo stops the run before anything starts.
  HostsConfig hosts;
  try {
    hosts = hosts_config(sc);
  } catch (const std::exception& e) {
    std::cerr << "hydra run: " << e.what() << "\n";
    return 2;
  }
  // The first step's broker and topic. The broker outlives the agents (it is
  // declared before them, so destroyed after).
  BrokerSetup brokers(builtin_drivers().make(kDefaultDriver));
  try {
    Scenario first = steps.front().scenario;
    first.control_timeout_s = std::min(first.control_timeout_s, kPreflightTimeoutMs / 1000.0);
    brokers.prepare(first);
  } catch (const std::exception& e) {
    std::cerr << "hydra run: broker: " << e.what() << "\n";
    return 1;
  }
  const fs::path out =
      opt->out.empty() ? fs::path("results") / (sc.name + "-" + timestamp()) : fs::path(opt->out);
  try {
    fs::create_directories(out);
    // Passed around with the results: no secret in it.
    std::ofstream(out / "scenario.json") << masked_secrets(sc.resolved).dump(2) << "\n";
    fs::create_directories(out / "logs");
  } catch (const std::exception& e) {
    std::cerr << "hydra run: cannot write to " << out << ": " << e.what() << "\n";
    return 2;
  }
  const std::string agent_binary = AgentLauncher::default_agent_binary();
  if (access(agent_binary.c_str(), X_OK) != 0) {
    std::cerr << "hydra run: agent binary not found: " << agent_binary
              << " (build it, or set HYDRA_AGENT)\n";
    return 1;
  }
  if (auto err = client_log.open((out / "logs" / "controller.log").string()); !err.empty())
    std::cerr << "hydra run: " << err << "\n";
  install_interrupt_handlers();
  Provenance provenance(sc.name, masked_command_line(argv0, "run", args));
  provenance.write((out / "run.json").string());

  FanoutReporter reporter;
  auto console_owned = std::make_unique<ConsoleReporter>(std::cout, isatty(STDOUT_FILENO) != 0,
                                                         opt->quiet, opt->latency);
  ConsoleReporter& console = *console_owned;
  reporter.add(std::move(console_owned));
  reporter.add(std::make_unique<CsvReporter>(out / "results.csv"));
  reporter.add(std::make_unique<JsonReporter>(out));
  reporter.add(std::make_unique<HgrmWriter>(out));
  RunInfo info;
  info.scenario = sc.name;
  for (const auto& axis : sc.sweep) info.sweep_keys.push_back(axis.key);
  info.total_steps = int(steps.size());
  info.repeats = sc.repeats;
  info.out_dir = out.string();
  const bool processing = uses_processing(steps);
  info.extra_columns = run_extra_columns(processing);
  reporter.on_run_start(info);

  const auto run_start = std::chrono::steady_clock::now();
  // A search runs at most max_probes probes per step (repeats is 1 there).
  const std::optional<SearchOptions> search = search_options(sc);
  const std::string sc_mode = scenario_value(sc, "mode").get<std::string>();
  std::vector<SearchAnswer> searches;  // one per step searched, in step order
  const int total = int(steps.size()) * (search ? search->max_probes : sc.repeats);
  int done = 0;      // rows written
  int finished = 0;  // of those, steps that ran to their end (not interrupted)
  bool any_failed = false;
  bool any_measured = false;  // some row has a measured window (else nothing to plot)
  {
    zmq::context_t ctx(1);
    AgentLauncher local(agent_binary, (out / "logs").string());
    LogFollower logs((out / "logs").string());
    ClientErrorSummary client_errors;
    std::unique_ptr<Launcher> launcher;
    try {
      launcher = make_launcher(hosts, local, int(sc.control_timeout_s * 1000));
    } catch (const std::exception& e) {
      std::cerr << "hydra run: " << e.what() << "\n";
      return 1;
    }
    AgentPool pool(*launcher, ctx);
    // ETA: the planned time of what is left, scaled by how much slower than
    // planned the finished steps were.
    const double planned_each = estimated_run_seconds(steps) / std::max(1, total);
    auto eta = [&](double fraction) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
      const double per = done > 0 ? elapsed / (done + fraction) : planned_each;
      return per * (total - done - fraction);
    };
    StepRunner runner(pool, reporter, run_start, eta);
    // Starting many agents takes seconds: each one up is progress.
    Progress starting;
    int started_before_step = 0;
    // (agents this host starts; a daemon's agents are not counted here)
    local.on_spawned([&](const std::string&, int started) {
      starting.elapsed_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
      starting.eta_s = eta(0);
      starting.detail = std::to_string(started - started_before_step) + " started";
      reporter.on_progress(starting);
    });
    const std::string run_id = std::to_string(getpid()) + "-" + timestamp();
    // Runs one step once (one repeat, or one probe of a search: `step` then
    // carries the probe's rate) and gives its row, not yet reported.
    auto run_once = [&](const Step& step, int rep) -> std::pair<Row, StepResult> {
      {
        StepPlan plan;
        plan.step = &step;
        plan.repeat = rep;
        plan.index = done + 1;
        plan.total = total;
        plan.producer_id = uint32_t(done + 1);
        plan.group_prefix =
            "hydra-" + run_id + "-s" + std::to_string(step.index) + "r" + std::to_string(rep);
        starting = Progress{};
        starting.step = step.index;
        starting.repeat = rep;
        starting.index = plan.index;
        starting.total = total;
        starting.phase = "starting agents";
        started_before_step = int(local.started());
        StepResult result;
        bool ran = false;  // the runner ran the step: its timings are this step's
        try {
          std::tie(plan.bootstrap, plan.topic) = brokers.prepare(step.scenario);
          provenance.record_step(step.index, step.scenario,
                                 {plan.bootstrap, plan.topic, plan.producer_id, plan.group_prefix});
          // The step's faults act on the broker prepare() just made ready.
          std::unique_ptr<FaultTimeline> faults;
          if (!step.scenario.faults.empty())
            faults = std::make_unique<FaultTimeline>(
                step.scenario.faults,
                step.scenario.broker.embedded() ? brokers.embedded() : nullptr);
          runner.set_timeline(faults.get());
          // What the embedded broker's retention removed during the step
          // (counted by the hydra kind only; see broker_trimmed).
          EmbeddedBroker* eb = step.scenario.broker.embedded() ? brokers.embedded() : nullptr;
          const auto trimmed_before = eb ? eb->retention_trimmed() : std::nullopt;
          result = runner.run(plan);
          const auto trimmed_after = eb ? eb->retention_trimmed() : std::nullopt;
          if (trimmed_before && trimmed_after)
            result.broker_trimmed = trimmed_after->records - trimmed_before->records;
          runner.set_timeline(nullptr);
          ran = true;
        } catch (const std::exception& e) {
          result.step = step.index;
          result.repeat = rep;
          result.swept = step.swept;
          result.client_count = step.scenario.subscribers.clients;
          result.msg_rate = total_publish_rate(step.scenario);
          result.duration_s = step.scenario.duration_s;
          result.status = "failed";
          result.error = std::string("broker: ") + e.what();
        }
        StepContext ctx;
        ctx.timings = ran ? &runner.timings() : nullptr;
        ctx.scenario = &step.scenario;
        ctx.processing = processing;
        Row row = compute_row(result, ctx);
        // One line per distinct client error of the step, not librdkafka's
        // (printed just before the step's own line, which the caller reports
        // once a search has judged the row).
        logs.read_new([&](const std::string& source, const std::string& line) {
          client_errors.add_line(source, line);
        });
        for (const auto& l : client_errors.take_lines((out / "logs").string() + "/"))
          console.note("  " + l);
        any_failed |= result.status == "failed";
        // A consumer-only step has no window, only what its clients consumed.
        any_measured |= row.packet_tx.has_value() || value_number(row.value("consumed")) > 0;
        finished += result.status != "interrupted";
        ++done;
        return {std::move(row), std::move(result)};
      }
    };
    const auto extra_columns = row_columns(info.extra_columns);
    // A run whose agents' hosts are gone (agents.hosts) stops its sweep.
    auto hosts_gone = [&] {
      const std::string why = launcher->exhausted();
      if (why.empty()) return false;
      std::cerr << "hydra run: stopping the sweep: " << why << "\n";
      any_failed = true;
      return true;
    };
    for (const Step& step : steps) {
      if (search) {
        searches.push_back(search_step(step, *search, run_once, reporter));
        if (!opt->quiet)
          std::cout << describe_answer(step_label(step), sc_mode, searches.back()) << "\n";
        if (interrupted() || hosts_gone()) break;
        continue;
      }
      std::vector<Row> rows;
      for (int rep = 0; rep < sc.repeats && !interrupted(); ++rep) {
        auto [row, result] = run_once(step, rep);
        reporter.on_step_done(row, result);
        rows.push_back(std::move(row));
        if (!launcher->exhausted().empty()) break;
      }
      if (interrupted()) break;
      if (sc.repeats > 1)
        for (const auto& a : aggregate_rows(rows, extra_columns)) reporter.on_aggregate(a);
      if (hosts_gone()) break;
    }
    pool.shutdown_all(std::chrono::milliseconds(3000));
  }
  reporter.on_run_end(interrupted());
  if (search) {
    if (auto err = write_search_csv(out / "search.csv", info.sweep_keys, steps, sc_mode, searches);
        !err.empty())
      std::cerr << "hydra run: " << err << "\n";
  }
  provenance.finish(interrupted());
  if (auto err = provenance.write((out / "run.json").string()); !err.empty())
    std::cerr << "hydra run: " << err << "\n";
  for (const auto& e : reporter.errors()) std::cerr << "hydra run: reporter: " << e << "\n";

  if (!interrupted() && !any_measured) {
    std::cerr << "hydra run: no step measured anything; no plots\n";
  } else if (!interrupted()) {
    const std::string scripts = find_plot_scripts_dir(argv0);
    if (!scripts.empty()) {
      // gnuplot takes seconds: a line every second says it is still at it.
      auto job =
          std::async(std::launch::async, [&] { return render_plots(out.string(), scripts); });
      const auto t0 = std::chrono::steady_clock::now();
      console.status("plotting");
      while (job.wait_for(std::chrono::seconds(1)) != std::future_status::ready)
        if (isatty(STDOUT_FILENO))
          console.status(
              "plotting (" +
              std::to_string(int(
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())) +
              " s)");
      console.end_status();
      const PlotOutcome plots = job.get();
      if (!plots.gnuplot_found && !opt->quiet)
        std::cerr << "hydra run: gnuplot not installed; no plots (apt-get install gnuplot-nox)\n";
      for (const auto& e : plots.errors) std::cerr << "hydra run: plot: " << e << "\n";
    }
  }
  console.status("writing report.html");
  console.end_status();
  if (auto err = write_report_html(out.string()); !err.empty())
    std::cerr << "hydra run: report.html: " << err << "\n";
  if (!opt->quiet) std::cout << "results: " << out.string() << "\n";
  if (interrupted()) {
    std::cerr << "hydra run: interrupted; " << finished << " finished step(s)"
              << (done > finished ? " and the interrupted one" : "") << " kept in " << out << "\n";
    return 1;
  }
  return any_failed ? 1 : 0;
}

}  // namespace hydra
