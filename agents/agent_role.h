// What the control server drives: a publisher or a subscriber agent. The
// control server owns the socket and the protocol framing; a role only
// answers commands. Any exception a role throws becomes {"ok": false,
// "error": what()} and the agent keeps serving.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/protocol.h"

namespace hydra {

class AgentRole {
 public:
  virtual ~AgentRole() = default;
  virtual const char* role() const = 0;
  virtual proto::AgentState state() const = 0;
  // Each returns the reply body (without "ok").
  virtual nlohmann::json configure(const nlohmann::json& config) = 0;
  virtual nlohmann::json start() = 0;
  virtual nlohmann::json stop() = 0;
  virtual nlohmann::json status() = 0;
  virtual nlohmann::json stats(const nlohmann::json& request) = 0;
  virtual nlohmann::json reset(const nlohmann::json& request) = 0;
  // Fault injection (request {"client": id}); only a subscriber with shared
  // groups does it (see Subscriber::crash_member).
  virtual nlohmann::json crash(const nlohmann::json& /*request*/) {
    throw proto::ProtocolError(std::string("crash: a ") + role() +
                               " agent has no shared-group member to crash");
  }
};

}  // namespace hydra
