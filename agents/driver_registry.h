// Messaging drivers by name. hydra-agent selects the driver a configuration
// names (proto::PublisherConfig::driver, SubscriberConfig::driver); the
// controller selects the one its topics are made with. Tests build their own
// registry holding fakes (tests/agents/fake_drivers.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agents/driver.h"

namespace hydra {

// The driver used when a configuration names none (the wire default).
inline constexpr const char* kDefaultDriver = "kafka";

// Makes a driver from its own configuration section: opaque JSON only that
// driver reads (null when there is none). Throws std::invalid_argument
// naming what is wrong in it.
using DriverMaker = std::function<std::unique_ptr<MessagingDriver>(const nlohmann::json& section)>;

class DriverRegistry {
 public:
  // Adds (or replaces) the driver called `name`.
  void add(const std::string& name, DriverMaker make);
  bool has(std::string_view name) const;
  std::vector<std::string> names() const;  // sorted
  // "unknown driver \"zmq\" (known: kafka)": the error for a name not here.
  std::string unknown_message(std::string_view name) const;
  // Throws std::invalid_argument with unknown_message() for an unknown name,
  // and whatever the driver's maker throws for a bad section.
  std::unique_ptr<MessagingDriver> make(std::string_view name,
                                        const nlohmann::json& section = nullptr) const;

 private:
  std::map<std::string, DriverMaker, std::less<>> makers_;
};

// Every driver built into Hydra: "kafka". A new transport registers here.
const DriverRegistry& builtin_drivers();

}  // namespace hydra
