#include "bench/macro/macro_run.h"

#include <exception>
#include <memory>
#include <vector>

#include "bench/macro/macro_report.h"
#include "bench/macro/publisher_bench.h"
#include "bench/macro/subscriber_bench.h"
#include "harness/embedded_broker.h"

namespace hydra::bench {
namespace {

const char* const kPubTopic = "macro-pub";
const char* const kSubTopic = "macro-sub";

void run_publisher(const MacroOptions& o, const std::string& bootstrap, std::ostream& os,
                   std::vector<Measurement>& out) {
  os << "\npublisher: " << o.message_size << " B values, acks=1, linger.ms=" << o.linger_ms
     << ", batch.num.messages=10000, " << o.pub_partitions << " partition(s), poll every "
     << o.poll_every << " messages, " << o.seconds
     << " s of sending per side, then flush; rate = acknowledged / (first send .. last ack)\n";
  for (int r = 1; r <= o.rounds; ++r) {
    // Alternate which side goes first, so drift (allocator, mock broker
    // state) does not favour one side.
    for (int i = 0; i < 2; ++i) {
      const bool hydra = (i == 0) == (r % 2 == 1);
      if (!o.only_side.empty() && o.only_side != (hydra ? "hydra" : "raw")) continue;
      out.push_back(hydra ? run_hydra_publisher(o, bootstrap, kPubTopic, r)
                          : run_raw_publisher(o, bootstrap, kPubTopic, r));
      print_measurement(os, out.back());
      os.flush();
    }
  }
}

void run_subscriber(const MacroOptions& o, const std::string& bootstrap, std::ostream& os,
                    std::vector<Measurement>& out) {
  os << "\nsubscriber: filling " << kSubTopic << " (" << o.sub_partitions
     << " partitions) with Hydra's publisher...\n";
  os.flush();
  Backlog backlog;
  try {
    backlog = fill_backlog(o, bootstrap, kSubTopic);
  } catch (const std::exception& e) {
    for (int r = 1; r <= o.rounds; ++r)
      for (const char* side : {"hydra", "raw"}) {
        out.push_back(new_measurement("subscriber", side, r, o.sub_partitions));
        out.back().error = e.what();
      }
    os << "  ERROR: " << e.what() << "\n";
    return;
  }
  os << "subscriber: each side reads the " << backlog.messages()
     << "-message backlog from its start, alone, with KafkaConsumer::default_props (shared-group "
        "mode)"
     << (o.consumer_defaults
             ? " unmodified"
             : " + queued.min.messages=10000000, queued.max.messages.kbytes=1048576")
     << "; rate = messages / (first .. last received)\n";
  for (int r = 1; r <= o.rounds; ++r) {
    for (Measurement& m : run_subscriber_round(o, bootstrap, backlog, r)) {
      print_measurement(os, m);
      out.push_back(std::move(m));
    }
    os.flush();
  }
}

}  // namespace

double worst_case_seconds(const MacroOptions& o) {
  // Publisher: sending, a 10 s flush bound and 5 s metadata, per side.
  const double pub = o.skip_publisher ? 0 : o.rounds * 2 * (o.seconds + 20);
  // Subscriber: the fill (10 s + flush), then per round a 20 s join and
  // 30 s reads per side.
  const double sub = o.skip_subscriber ? 0 : 25 + o.rounds * 90;
  return 30 + pub + sub;
}

int run_macro(const MacroOptions& o, std::ostream& os) {
  std::unique_ptr<EmbeddedBroker> broker;
  try {
    broker = std::make_unique<EmbeddedBroker>(1);
    broker->create_topic(kPubTopic, o.pub_partitions, 1);
    broker->create_topic(kSubTopic, o.sub_partitions, 1);
  } catch (const std::exception& e) {
    os << "hydra_macro_bench: " << e.what() << "\n";
    return 1;
  }
  os << "hydra_macro_bench: Hydra against raw librdkafka on one embedded broker (librdkafka's "
        "mock cluster, in this process) at "
     << broker->bootstrap() << "\n"
     << "figures measure the clients plus the mock broker, on this machine's cores\n";
  std::vector<Measurement> ms;
  if (!o.skip_publisher) run_publisher(o, broker->bootstrap(), os, ms);
  if (!o.skip_subscriber) run_subscriber(o, broker->bootstrap(), os, ms);
  const std::vector<Comparison> cs = compare(ms);
  print_summary(os, cs);
  if (!o.csv.empty()) {
    try {
      write_csv(o.csv, cs);
      os << "figures written to " << o.csv << "\n";
    } catch (const std::exception& e) {
      os << "hydra_macro_bench: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace hydra::bench
