#include "harness/agent_client.h"

#include <cerrno>
#include <chrono>

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

Reply AgentClient::call(proto::Command cmd, nlohmann::json body,
                        std::chrono::milliseconds timeout) {
  Reply r;
  const std::string frame = proto::make_request(cmd, std::move(body));
  const char* name = proto::command_name(cmd);
  try {
    if (!sock_->send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
      connect();
      r.error = std::string(name) + ": could not send to " + endpoint_;
      return r;
    }
    zmq::pollitem_t item{sock_->handle(), 0, ZMQ_POLLIN, 0};
    // A signal (Ctrl-C) interrupts the wait with EINTR: the request is still
    // in flight, so the wait goes on for the rest of the timeout. The caller
    // sees the interrupt flag and decides; a REQ socket left without its reply
    // would be unusable anyway.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      try {
        zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(0)));
        break;
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
        item.revents = 0;
        if (left.count() <= 0) break;
      }
    }
    if (!(item.revents & ZMQ_POLLIN)) {
      connect();  // lazy pirate: a REQ socket without its reply is unusable
      r.error = std::string(name) + ": no answer from " + endpoint_ + " within " +
                std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
      return r;
    }
    zmq::message_t msg;
    while (true) {
      try {
        (void)sock_->recv(msg, zmq::recv_flags::none);
        break;
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;  // the reply is there: read it again
      }
    }
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

}  // namespace hydra
