#include "agents/driver_registry.h"

#include <stdexcept>

#include "agents/kafka/kafka_driver.h"

namespace hydra {

void DriverRegistry::add(const std::string& name, DriverMaker make) {
  makers_[name] = std::move(make);
}

bool DriverRegistry::has(std::string_view name) const {
  return makers_.find(name) != makers_.end();
}

std::vector<std::string> DriverRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, make] : makers_) out.push_back(name);
  return out;
}

std::string DriverRegistry::unknown_message(std::string_view name) const {
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  return "unknown driver \"" + std::string(name) +
         "\" (known: " + (known.empty() ? "none" : known) + ")";
}

std::unique_ptr<MessagingDriver> DriverRegistry::make(std::string_view name,
                                                      const nlohmann::json& section) const {
  const auto it = makers_.find(name);
  if (it == makers_.end()) throw std::invalid_argument(unknown_message(name));
  return it->second(section);
}

const DriverRegistry& builtin_drivers() {
  static const DriverRegistry registry = [] {
    DriverRegistry r;
    r.add("kafka", [](const nlohmann::json& section) { return make_kafka_driver(section); });
    return r;
  }();
  return registry;
}

}  // namespace hydra
