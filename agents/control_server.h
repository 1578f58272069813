// Serves the JSON control protocol on a ZeroMQ REP socket for one agent role.
// It always replies, whatever it got: garbage, unknown commands, wrong types,
// a request over kMaxRequestBytes and role errors become {"ok": false,
// "error": ...} and the server keeps serving. (A single frame over the
// limit is refused by ZeroMQ itself, which drops that peer's connection
// without a reply; the agent still serves every other request.)
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "agents/agent_role.h"
#include "common/curve_auth.h"

namespace hydra {

class ControlServer {
 public:
  // Binds `endpoint` (e.g. tcp://127.0.0.1:0). Throws zmq::error_t when it
  // cannot bind. With `auth`, the socket is a CURVE server that lets in only
  // the listed controller keys (an agent started by a daemon off loopback).
  ControlServer(AgentRole& role, const std::string& endpoint,
                const curve::ServerAuth* auth = nullptr);

  // The largest request, all its frames together: a stray peer cannot make
  // the agent allocate without bound.
  static constexpr size_t kMaxRequestBytes = size_t(16) << 20;

  // The endpoint actually bound (the port filled in).
  std::string endpoint() const { return endpoint_; }

  // Serves until shutdown is received or `stop` becomes true (checked at
  // least every 200 ms).
  void serve(const std::atomic<bool>& stop);

  // Handles one request frame and returns the reply frame (testable without
  // sockets). Sets *shutdown when the request was "shutdown".
  std::string handle(std::string_view frame, bool* shutdown);

 private:
  AgentRole& role_;
  zmq::context_t ctx_;
  std::unique_ptr<curve::ZapHandler> zap_;  // declared before sock_: outlives it
  zmq::socket_t sock_;
  std::string endpoint_;
};

}  // namespace hydra
