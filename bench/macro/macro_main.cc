// hydra_macro_bench: Hydra's publisher and subscriber client against raw
// librdkafka loops on one embedded broker, in one run. See bench/README.md.
// Exit codes: 0 ran (below-target ratios included: it is a benchmark, not a
// test); 1 the broker or the CSV failed, or the run overran its bound;
// 2 bad usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "bench/macro/macro_run.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  hydra::bench::MacroOptions o;
  po::options_description desc(
      "hydra_macro_bench: Hydra's publisher and subscriber client against raw librdkafka loops\n"
      "on one embedded broker (librdkafka's mock cluster)\nOptions");
  desc.add_options()("help,h", "show this help")("seconds",
                                                 po::value(&o.seconds)->default_value(o.seconds),
                                                 "publisher: seconds of sending per side")(
      "csv", po::value(&o.csv), "also write the figures to this CSV file")(
      "rounds", po::value(&o.rounds)->default_value(o.rounds),
      "repeats of each comparison (the summary takes medians)")(
      "partitions", po::value(&o.pub_partitions)->default_value(o.pub_partitions),
      "partitions of the publisher topic")(
      "sub-partitions", po::value(&o.sub_partitions)->default_value(o.sub_partitions),
      "partitions the subscribers' backlog is spread over")(
      "linger-ms", po::value(&o.linger_ms)->default_value(o.linger_ms), "linger.ms, both sides")(
      "poll-every", po::value(&o.poll_every)->default_value(o.poll_every),
      "messages between rd_kafka_poll() calls (Hydra's msg_batch), both sides")(
      "consumer-defaults", po::bool_switch(&o.consumer_defaults),
      "subscribers: KafkaConsumer's defaults as shipped, without lifting librdkafka's "
      "pre-fetch thresholds (slow on a backlog; --sub-partitions defaults to 1 then)")(
      "only", po::value(&o.only_side),
      "hydra or raw: measure that side alone (for profiling; no ratio)")(
      "publisher-only", po::bool_switch(&o.skip_subscriber), "run only the publisher comparison")(
      "subscriber-only", po::bool_switch(&o.skip_publisher), "run only the subscriber comparison");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
    if (o.consumer_defaults && vm["sub-partitions"].defaulted()) o.sub_partitions = 1;
  } catch (const std::exception& e) {
    std::cerr << "hydra_macro_bench: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  const char* bad = nullptr;
  if (!(o.seconds > 0 && o.seconds <= 600)) bad = "--seconds must be in (0, 600]";
  if (o.rounds < 1 || o.rounds > 20) bad = "--rounds must be 1..20";
  if (o.pub_partitions < 1 || o.pub_partitions > 64) bad = "--partitions must be 1..64";
  if (o.sub_partitions < 1 || o.sub_partitions > 64) bad = "--sub-partitions must be 1..64";
  if (o.linger_ms < 0) bad = "--linger-ms must be >= 0";
  if (o.poll_every < 1) bad = "--poll-every must be >= 1";
  if (!o.only_side.empty() && o.only_side != "hydra" && o.only_side != "raw")
    bad = "--only must be hydra or raw";
  if (o.skip_publisher && o.skip_subscriber)
    bad = "--publisher-only and --subscriber-only exclude each other";
  if (bad) {
    std::cerr << "hydra_macro_bench: " << bad << "\n";
    return 2;
  }

  // Every wait inside is bounded; this is the backstop should one not be.
  const double bound_s = hydra::bench::worst_case_seconds(o);
  std::thread([bound_s] {
    std::this_thread::sleep_for(std::chrono::duration<double>(bound_s));
    std::fprintf(stderr, "hydra_macro_bench: still running after %.0f s; giving up\n", bound_s);
    std::_Exit(1);
  }).detach();

  return hydra::bench::run_macro(o, std::cout);
}
