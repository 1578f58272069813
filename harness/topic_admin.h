// Creates the step's topic on a real Kafka cluster through the admin API
// (the embedded broker creates topics itself: the mock has no admin API).
#pragma once

#include <string>

namespace hydra {

// Creates `topic` with the given layout, or, when `reuse` is set and it
// exists, checks it has at least `partitions` partitions. Throws
// std::runtime_error naming what went wrong; every request is bounded by
// timeout_ms.
void ensure_topic(const std::string& bootstrap, const std::string& topic, int partitions,
                  int replication, bool reuse, int timeout_ms);

}  // namespace hydra
