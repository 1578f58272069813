#include "harness/agent_client.h"

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
    zmq::poll(&item, 1, timeout);
    if (!(item.revents & ZMQ_POLLIN)) {
      connect();  // lazy pirate: a REQ socket without its reply is unusable
      r.error = std::string(name) + ": no answer from " + endpoint_ + " within " +
                std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
      return r;
    }
    zmq::message_t msg;
    (void)sock_->recv(msg, zmq::recv_flags::none);
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
