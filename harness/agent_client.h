// The controller's side of the control protocol: one REQ socket per agent,
// every request with a timeout. An agent that does not answer in time is
// reported as such (never waited on forever); its socket is then rebuilt so
// the next request starts clean (a REQ socket that lost a reply is stuck).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "common/curve_auth.h"
#include "common/protocol.h"

namespace hydra {

struct Reply {
  bool answered = false;  // a reply arrived in time
  bool ok = false;        // ... and said ok
  std::string error;      // why not, when !ok
  nlohmann::json body;    // the whole reply object
};

// What the controller's socket needs to reach a CURVE server (an agent daemon
// off loopback, or an agent it started): the controller's own pair and the
// server's public key.
struct ClientAuth {
  curve::KeyPair client;
  std::string server_public;
};

class AgentClient {
 public:
  AgentClient(zmq::context_t& ctx, std::string endpoint, std::optional<ClientAuth> auth = {});

  // A request by command name, for protocols other than the agents' (the
  // daemon's, agents/daemon_protocol.h); same timeout and reply rules.
  Reply call_named(const std::string& name, nlohmann::json body, std::chrono::milliseconds timeout);

  Reply call(proto::Command cmd, nlohmann::json body, std::chrono::milliseconds timeout);
  Reply call(proto::Command cmd, std::chrono::milliseconds timeout) {
    return call(cmd, nlohmann::json::object(), timeout);
  }

  // The same call in three parts, so one thread can wait on many agents at
  // once (AgentPool::call_all polls every socket()):
  // send() sends the request (false: it could not, `failed` says why);
  // receive() reads the reply once socket() is readable;
  // give_up() reports that no reply came within `timeout` and rebuilds the
  // socket.
  bool send(proto::Command cmd, nlohmann::json body, Reply& failed);
  Reply receive(proto::Command cmd);
  Reply give_up(proto::Command cmd, std::chrono::milliseconds timeout);
  void* socket() { return sock_->handle(); }

  const std::string& endpoint() const { return endpoint_; }

 private:
  void connect();
  bool send_frame(const std::string& frame, const std::string& name, Reply& failed);
  Reply receive_named(const std::string& name);
  Reply give_up_named(const std::string& name, std::chrono::milliseconds timeout);
  Reply wait_reply(const std::string& name, std::chrono::milliseconds timeout);

  zmq::context_t& ctx_;
  std::string endpoint_;
  std::optional<ClientAuth> auth_;
  std::unique_ptr<zmq::socket_t> sock_;
};

}  // namespace hydra
