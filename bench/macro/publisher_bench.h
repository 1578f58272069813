// The publisher comparison: Hydra's publisher agent role, unthrottled and
// in-process, against a raw librdkafka produce loop written to go as fast as
// librdkafka allows. Both send message_size-byte values round robin over the
// same explicit partitions with the same producer properties, for the same
// time, and both are timed from the first send until every message is
// acknowledged (delivered, not just enqueued).
#pragma once

#include <string>

#include "bench/macro/macro_options.h"
#include "bench/macro/macro_report.h"

namespace hydra::bench {

// Hydra's publisher for o.seconds. Errors are reported in the measurement.
Measurement run_hydra_publisher(const MacroOptions& o, const std::string& bootstrap,
                                const std::string& topic, int round);

// rd_kafka_produce() with RD_KAFKA_MSG_F_COPY on a cached topic handle in a
// tight loop, rd_kafka_poll(rk, 0) every o.poll_every messages, poll(1) and
// retry on a full queue; then flush.
Measurement run_raw_publisher(const MacroOptions& o, const std::string& bootstrap,
                              const std::string& topic, int round);

}  // namespace hydra::bench
