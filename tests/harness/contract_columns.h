// The results.csv columns docs/contracts.md fixes, in its order and spelling, written
// out by hand: tests compare the code's list against this one, so a renamed
// or reordered column fails a test instead of silently breaking users.
#pragma once

#include <string>
#include <vector>

namespace hydra::test {

inline const std::vector<std::string>& contract_columns() {
  static const std::vector<std::string> columns = {"client_count",
                                                   "msg_rate",
                                                   "packet_tx",
                                                   "average_tx_rate",
                                                   "average_packets",
                                                   "average_rate",
                                                   "average_packet_loss",
                                                   "failing_clients",
                                                   "failing_clients_rate",
                                                   "lost",
                                                   "duplicates",
                                                   "reordered",
                                                   "foreign",
                                                   "lat_p50_ms",
                                                   "lat_p90_ms",
                                                   "lat_p99_ms",
                                                   "lat_p999_ms",
                                                   "lat_max_ms",
                                                   "ack_p50_ms",
                                                   "ack_p99_ms",
                                                   "send_delay_p99_ms",
                                                   "pub_cpu",
                                                   "pub_net_txrate",
                                                   "pub_net_rxrate",
                                                   "sub_cpu",
                                                   "sub_rss_mb",
                                                   "status",
                                                   "error"};
  return columns;
}

}  // namespace hydra::test
