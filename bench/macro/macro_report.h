// Results of hydra_macro_bench: what each side measured (plain values, no
// formatting), the comparison derived from them in one function, and the
// console and CSV renderings of both.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace hydra::bench {

// One side of one comparison in one round.
struct Measurement {
  std::string bench;  // "publisher" or "subscriber"
  std::string side;   // "hydra" or "raw"
  int round = 0;      // 1-based
  int partitions = 0;
  uint64_t messages = 0;    // publisher: acknowledged; subscriber: received
  int64_t span_ns = 0;      // publisher: first send .. all acknowledged; subscriber: first .. last
  uint64_t queue_full = 0;  // publisher: sends refused by a full local queue
  double cpu_s = 0;         // process CPU over the span (every thread, the mock broker's too)
  // The thread that calls rd_kafka_produce / rd_kafka_consumer_poll: its CPU
  // while sending (publisher, flush left out) or reading (subscriber), and
  // the messages it handled meanwhile. 0 when it could not be read.
  double thread_cpu_s = 0;
  uint64_t thread_messages = 0;
  std::string error;  // empty when the side ran cleanly
};

// A measurement with nothing measured yet.
Measurement new_measurement(std::string bench, std::string side, int round, int partitions);

// Messages per second of one measurement (0 when it has no span).
double rate(const Measurement& m);
// CPU ns per message of the sending/receiving thread (0 when unknown).
double thread_ns_per_message(const Measurement& m);

// Hydra against raw for one bench in one round, or (round 0) the summary:
// medians of the rounds' rates and of their ratios (each round pairs two
// runs close in time, so the ratio's median resists a machine whose load
// drifts).
struct Comparison {
  std::string bench;
  int round = 0;  // 0: the summary over rounds
  int partitions = 0;
  uint64_t hydra_messages = 0;  // per round only (0 in the summary)
  uint64_t raw_messages = 0;
  double hydra_s = 0;
  double raw_s = 0;
  double hydra_rate = 0;  // msg/s
  double raw_rate = 0;
  double ratio = 0;            // hydra / raw msg/s; 0 when either measured nothing
  double hydra_thread_ns = 0;  // thread CPU per message
  double raw_thread_ns = 0;
  double cpu_ratio = 0;  // raw / hydra thread ns per message: the msg/s ratio a saturated,
                         // undisturbed thread would give; 0 when unknown
  double target = 0;     // for ratio
  bool pass = false;     // ratio >= target and no error
  std::string error;     // either side's error, if any
};

// Per round and, last, the summary, for every bench measured.
std::vector<Comparison> compare(const std::vector<Measurement>& ms);

void print_measurement(std::ostream& os, const Measurement& m);
void print_summary(std::ostream& os, const std::vector<Comparison>& cs);

// One row per comparison. Header:
// bench,round,partitions,hydra_messages,hydra_s,hydra_msg_per_s,raw_messages,
// raw_s,raw_msg_per_s,ratio,target,verdict,hydra_thread_ns_per_msg,
// raw_thread_ns_per_msg,cpu_ratio,error
// (round is "median" on the summary rows, whose message and second columns
// are empty). Throws std::runtime_error when the file cannot be written.
void write_csv(const std::string& path, const std::vector<Comparison>& cs);

}  // namespace hydra::bench
