// What hydra_macro_bench compares and how: one documented struct the command
// line fills (docs/engineering.md), and the librdkafka properties both sides of each
// comparison get, built in one place so Hydra and the raw loop cannot drift.
#pragma once

#include <string>

#include "agents/kafka/kafka_config.h"

namespace hydra::bench {

struct MacroOptions {
  double seconds = 3;      // publisher: how long each side sends (delivery is waited for after)
  int rounds = 3;          // repeats of each comparison; the summary takes medians
  int pub_partitions = 1;  // partitions of the publisher topic
  // The backlog the subscribers read is spread over this many partitions:
  // the mock broker keeps only the last ~5 MB of each partition's log, so one
  // partition holds ~45k messages of 100 B, too few to time.
  int sub_partitions = 32;
  int message_size = 100;  // bytes, Hydra header included
  double linger_ms = 5;    // linger.ms on both sides
  int poll_every = 1000;   // messages between rd_kafka_poll(rk, 0); Hydra's msg_batch
  // Subscribers: read with KafkaConsumer::default_props alone, as Hydra
  // ships them, instead of lifting librdkafka's pre-fetch thresholds (below).
  bool consumer_defaults = false;
  std::string csv;  // write the figures here too (empty: console only)
  bool skip_publisher = false;
  bool skip_subscriber = false;
  std::string only_side;  // "hydra" or "raw": measure that side alone (profiling); empty: both
};

// Producer properties the raw loop sets and Hydra gets through its "kafka"
// pass-through (acks and linger.ms reach Hydra through its own config fields,
// which set the same properties). Sized so neither side stalls on a full
// local queue more than librdkafka must.
inline KafkaPropMap bench_producer_props() {
  return {
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"batch.num.messages", "10000"},
  };
}

// Consumer properties both subscriber sides get on top of
// KafkaConsumer::default_props (Hydra's through KafkaConsumerOptions::overrides,
// the subscribers' "kafka" pass-through). librdkafka 2.0 stops fetching for a
// fixed 1 s whenever its pre-fetch queue passes queued.min.messages or
// queued.max.messages.kbytes; at Hydra's defaults (10000 messages, 2 MB) both
// sides then read a backlog at ~40k msg/s and the figures measure that pause,
// not the clients. Raised so the whole backlog fits; none with
// --consumer-defaults.
inline KafkaPropMap bench_consumer_overrides(const MacroOptions& o) {
  if (o.consumer_defaults) return {};
  return {
      {"queued.min.messages", "10000000"},
      {"queued.max.messages.kbytes", "1048576"},
  };
}

// Targets: Hydra's rate over the raw loop's.
inline constexpr double kPublisherTarget = 0.90;
inline constexpr double kSubscriberTarget = 0.95;

}  // namespace hydra::bench
