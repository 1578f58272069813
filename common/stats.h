// The measured values agents report and the controller merges: plain value
// structs, one field list each (docs/engineering.md), so merge, reset and JSON cannot
// drift apart. Derived figures (rates, loss percent) are not computed here but
// once, in the controller's row computation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/histogram.h"
#include "common/second_series.h"

namespace hydra {

// Per-partition sequence numbers: partition -> sequence.
using PartitionSeqs = std::map<uint32_t, uint64_t>;

// The measured window of one producer: [from, until) per partition.
struct ProducerWindow {
  uint32_t producer_id = 0;
  PartitionSeqs from;
  PartitionSeqs until;
  uint64_t size() const;  // messages in the window, summed over partitions
  nlohmann::json to_json() const;
  static ProducerWindow from_json(const nlohmann::json& j);
};

// X(name): every counter of a publisher. Summed on merge.
#define HYDRA_PUBLISHER_COUNTERS(X)                                   \
  X(sent)         /* messages handed to the client library */         \
  X(acked)        /* delivery reports without error */                \
  X(failed)       /* delivery reports with an error */                \
  X(queue_full)   /* times the local queue was full: schedule slip */ \
  X(unsent)       /* window slots due by the stop, never sent */      \
  X(bytes)        /* message value bytes sent */                      \
  X(net_tx_bytes) /* bytes written to brokers (client statistics) */  \
  X(net_rx_bytes) /* bytes read from brokers */                       \
  X(cpu_ns)       /* process CPU time, user + system */               \
  X(encoded)      /* window messages whose document was encoded */    \
  X(encode_ns)    /* their serialization time, summed */

// X(name): every histogram of a publisher (values in ns). Merged.
#define HYDRA_PUBLISHER_HISTOGRAMS(X)                                                 \
  X(send_delay)  /* actual send - intended send (unsent: at least stop - intended) */ \
  X(ack_latency) /* delivery report - intended send */

struct PublisherStats {
#define HYDRA_FIELD(n) uint64_t n = 0;
  HYDRA_PUBLISHER_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
#define HYDRA_FIELD(n) Histogram n;
  HYDRA_PUBLISHER_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  // Wall-clock span of the counted sends (ns since epoch); 0 when none.
  int64_t first_send_ns = 0;
  int64_t last_send_ns = 0;
  // Wall-clock span the counters cover (reset/start .. now/stop).
  int64_t since_ns = 0;
  int64_t until_ns = 0;
  // Per second of the window (empty span: not kept); only in full stats.
  PublisherSeries series;

  PublisherStats& operator+=(const PublisherStats& o);
  nlohmann::json to_json() const;
  static PublisherStats from_json(const nlohmann::json& j);
};

// X(name): every counter of one subscriber client. Summed on merge.
#define HYDRA_CLIENT_COUNTERS(X)                                            \
  X(received)       /* every message polled, whatever it was */             \
  X(unique)         /* distinct Hydra messages in the window */             \
  X(lost)           /* window sequences never received */                   \
  X(behind)         /* of the lost: past the furthest sequence reached */   \
  X(trimmed)        /* of the lost: skipped, the broker had removed them */ \
  X(position_skips) /* times its position jumped past the log start */      \
  X(duplicates)     /* received again */                                    \
  X(reordered)      /* arrived after a later sequence */                    \
  X(foreign)        /* no valid Hydra header */                             \
  X(before_window)  /* Hydra messages sent before the window: ignored */    \
  X(bytes)          /* value bytes of the counted messages */               \
  X(errors)         /* consumer errors reported by the client library */    \
  X(decoded)        /* bodies decoded (subscribers.decode) */               \
  X(decode_ns)      /* their decode time, summed */                         \
  X(decode_errors)  /* bodies that did not decode as their header says */

struct ClientStats {
  int client_id = -1;
#define HYDRA_FIELD(n) uint64_t n = 0;
  HYDRA_CLIENT_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
  Histogram latency;          // end to end: receive - intended send, ns
  int64_t first_recv_ns = 0;  // of counted messages; 0 when none
  int64_t last_recv_ns = 0;
  bool ready = false;         // assigned and positioned on every partition
  bool slow = false;          // throttled on purpose (subscribers.slow): not counted as loss
  std::string error;          // last client-level error, if any
  nlohmann::json processing;  // processing-stage stats (null when none)
  ClientSeries series;        // per second of the window (empty span: not kept)

  // Merges counters and histograms (for totals; ids and spans take the union).
  ClientStats& operator+=(const ClientStats& o);
  nlohmann::json to_json() const;
  static ClientStats from_json(const nlohmann::json& j);
};

// Resource use of one agent process.
struct ProcessUsage {
  uint64_t cpu_ns = 0;     // user + system (since process start, or over span_ns)
  uint64_t span_ns = 0;    // wall time cpu_ns was accumulated over (0: since start)
  uint64_t rss_bytes = 0;  // current resident set
  uint64_t max_rss_bytes = 0;
  nlohmann::json to_json() const;
  static ProcessUsage from_json(const nlohmann::json& j);
};

}  // namespace hydra
