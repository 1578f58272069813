#include "harness/agent_client.h"

#include <algorithm>
#include <cerrno>

namespace hydra {

AgentClient::AgentClient(zmq::context_t& ctx, std::string endpoint)
    : ctx_(ctx), endpoint_(std::move(endpoint)) {
  connect();
}

void AgentClient::connect() {
  sock_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::req);
  sock_->set(zmq::sockopt::linger, 0);
  sock_->connect(endpoint_);
}

bool AgentClient::send(proto::Command cmd, nlohmann::json body, Reply& failed) {
  const std::string frame = proto::make_request(cmd, std::move(body));
  const char* name = proto::command_name(cmd);
  try {
    if (sock_->send(zmq::buffer(frame), zmq::send_flags::dontwait)) return true;
    failed.error = std::string(name) + ": could not send to " + endpoint_;
  } catch (const zmq::error_t& e) {
    failed.error = std::string(name) + ": " + e.what();
  }
  connect();
  failed.answered = false;
  return false;
}

Reply AgentClient::receive(proto::Command cmd) {
  Reply r;
  const char* name = proto::command_name(cmd);
  try {
    zmq::message_t msg;
    if (!sock_->recv(msg, zmq::recv_flags::dontwait)) return give_up(cmd, {});
    r.answered = true;
    r.body = nlohmann::json::parse(msg.to_string_view(), nullptr, false);
    if (!r.body.is_object()) {
      r.error = std::string(name) + ": malformed reply from " + endpoint_;
      return r;
    }
    r.ok = r.body.value("ok", false);
    if (!r.ok)
      r.error = std::string(name) + ": " + r.body.value("error", "failed without a reason");
  } catch (const zmq::error_t& e) {
    connect();
    r.answered = false;
    r.error = std::string(name) + ": " + e.what();
  }
  return r;
}

Reply AgentClient::give_up(proto::Command cmd, std::chrono::milliseconds timeout) {
  connect();  // lazy pirate: a REQ socket without its reply is unusable
  Reply r;
  r.error = std::string(proto::command_name(cmd)) + ": no answer from " + endpoint_ + " within " +
            std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
  return r;
}

Reply AgentClient::call(proto::Command cmd, nlohmann::json body,
                        std::chrono::milliseconds timeout) {
  Reply r;
  if (!send(cmd, std::move(body), r)) return r;
  zmq::pollitem_t item{sock_->handle(), 0, ZMQ_POLLIN, 0};
  // A signal (Ctrl-C) interrupts the wait with EINTR: the request is still in
  // flight, so the wait goes on for the rest of the timeout. The caller sees
  // the interrupt flag and decides; a REQ socket left without its reply would
  // be unusable anyway.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    try {
      zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(0)));
      break;
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) {
        connect();
        r.error = std::string(proto::command_name(cmd)) + ": " + e.what();
        return r;
      }
      item.revents = 0;
      if (left.count() <= 0) break;
    }
  }
  if (!(item.revents & ZMQ_POLLIN)) return give_up(cmd, timeout);
  return receive(cmd);
}

}  // namespace hydra
