#include "harness/agent_client.h"

#include <algorithm>
#include <cerrno>

namespace hydra {

AgentClient::AgentClient(zmq::context_t& ctx, std::string endpoint, std::optional<ClientAuth> auth)
    : ctx_(ctx), endpoint_(std::move(endpoint)), auth_(std::move(auth)) {
  connect();
}

void AgentClient::connect() {
  sock_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::req);
  sock_->set(zmq::sockopt::linger, 0);
  if (auth_) curve::make_client(*sock_, auth_->client, auth_->server_public);
  sock_->connect(endpoint_);
}

bool AgentClient::send_frame(const std::string& frame, const std::string& name, Reply& failed) {
  try {
    if (sock_->send(zmq::buffer(frame), zmq::send_flags::dontwait)) return true;
    failed.error = name + ": could not send to " + endpoint_;
  } catch (const zmq::error_t& e) {
    failed.error = name + ": " + e.what();
  }
  connect();
  failed.answered = false;
  return false;
}

bool AgentClient::send(proto::Command cmd, nlohmann::json body, Reply& failed) {
  return send_frame(proto::make_request(cmd, std::move(body)), proto::command_name(cmd), failed);
}

Reply AgentClient::receive(proto::Command cmd) {
  return receive_named(proto::command_name(cmd));
}

Reply AgentClient::receive_named(const std::string& name) {
  Reply r;
  try {
    zmq::message_t msg;
    if (!sock_->recv(msg, zmq::recv_flags::dontwait)) return give_up_named(name, {});
    r.answered = true;
    r.body = nlohmann::json::parse(msg.to_string_view(), nullptr, false);
    if (!r.body.is_object()) {
      r.error = name + ": malformed reply from " + endpoint_;
      return r;
    }
    r.ok = r.body.value("ok", false);
    if (!r.ok) r.error = name + ": " + r.body.value("error", "failed without a reason");
  } catch (const zmq::error_t& e) {
    connect();
    r.answered = false;
    r.error = name + ": " + e.what();
  }
  return r;
}

Reply AgentClient::give_up(proto::Command cmd, std::chrono::milliseconds timeout) {
  return give_up_named(proto::command_name(cmd), timeout);
}

Reply AgentClient::give_up_named(const std::string& name, std::chrono::milliseconds timeout) {
  connect();  // lazy pirate: a REQ socket without its reply is unusable
  Reply r;
  r.error = name + ": no answer from " + endpoint_ + " within " +
            std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
  return r;
}

Reply AgentClient::call(proto::Command cmd, nlohmann::json body,
                        std::chrono::milliseconds timeout) {
  Reply r;
  if (!send(cmd, std::move(body), r)) return r;
  return wait_reply(proto::command_name(cmd), timeout);
}

Reply AgentClient::call_named(const std::string& name, nlohmann::json body,
                              std::chrono::milliseconds timeout) {
  if (!body.is_object()) body = nlohmann::json::object();
  body["cmd"] = name;
  Reply r;
  if (!send_frame(body.dump(), name, r)) return r;
  return wait_reply(name, timeout);
}

Reply AgentClient::wait_reply(const std::string& name, std::chrono::milliseconds timeout) {
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
        Reply r;
        r.error = name + ": " + e.what();
        return r;
      }
      item.revents = 0;
      if (left.count() <= 0) break;
    }
  }
  if (!(item.revents & ZMQ_POLLIN)) return give_up_named(name, timeout);
  return receive_named(name);
}

}  // namespace hydra
