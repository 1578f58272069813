// The Kafka messaging driver (librdkafka), registered as "kafka" in
// agents/driver_registry.cc. Its configuration section is null or
// {"properties": {name: value}}: librdkafka properties every client and admin
// of the driver gets, after Hydra's defaults and before the role's own
// pass-through properties (the wire's `kafka` maps), which win.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agents/driver.h"

namespace hydra {

// Throws std::invalid_argument naming the bad part of `section`.
std::unique_ptr<MessagingDriver> make_kafka_driver(const nlohmann::json& section);

// Kafka's default partitioner for keyed messages: murmur2 of the key bytes,
// sign bit cleared, modulo the partition count (what librdkafka's
// "murmur2" partitioner and the Java client compute). partitions >= 1.
int32_t kafka_partition_for_key(std::string_view key, int32_t partitions);

}  // namespace hydra
