// The reference the fan-out bench measures Hydra against: one process, N
// plain librdkafka consumers (each its own rd_kafka_t, every partition
// assigned by hand at the end of the log, Hydra's consumer properties from
// KafkaConsumer::default_props), read by a fixed set of threads that only
// count messages. Each thread waits on its consumers' queue eventfds with
// epoll and takes messages in batches: the cheapest way librdkafka offers to
// read many consumers, so the ratio shows what Hydra adds, not a worse loop.
//
// It runs as a child process of the bench (fanout_main.cc, --raw-child) so
// its CPU is measured apart from the broker's. It prints "ready" once every
// consumer is positioned, then answers "count" with the messages read so far
// and exits on "quit" or end of input.
#pragma once

#include <string>

namespace hydra::bench {

struct RawOptions {
  std::string bootstrap;
  std::string topic;
  int clients = 10;
  int threads = 2;
  // The consumer properties are Hydra's for an agent of this many clients
  // (its queue budget is split over them), so both sides fetch alike.
  int clients_per_agent = 100;
};

// Runs the child's protocol on stdin/stdout; returns the exit status.
int run_raw_child(const RawOptions& o);

}  // namespace hydra::bench
