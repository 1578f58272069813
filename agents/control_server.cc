#include "agents/control_server.h"

#include <unistd.h>

#include <iostream>

namespace hydra {

using proto::Command;

ControlServer::ControlServer(AgentRole& role, const std::string& endpoint,
                             const curve::ServerAuth* auth)
    : role_(role), ctx_(1), sock_(ctx_, zmq::socket_type::rep) {
  if (auth) {
    zap_ = std::make_unique<curve::ZapHandler>(ctx_, auth->allowed, [](const std::string& l) {
      std::cerr << "hydra-agent: " << l << std::endl;
    });
    curve::make_server(sock_, auth->key);
  }
  sock_.set(zmq::sockopt::linger, 0);
  // A stray peer cannot make the agent allocate without bound.
  sock_.set(zmq::sockopt::maxmsgsize, int64_t(kMaxRequestBytes));
  sock_.bind(endpoint);
  endpoint_ = sock_.get(zmq::sockopt::last_endpoint);
}

std::string ControlServer::handle(std::string_view frame, bool* shutdown) {
  *shutdown = false;
  try {
    const proto::Request req = proto::parse_request(frame);
    switch (req.cmd) {
      case Command::kPing:
        return proto::ok_reply({{"pong", true},
                                {"role", role_.role()},
                                {"version", proto::kProtocolVersion},
                                {"pid", int(getpid())},
                                {"state", proto::state_name(role_.state())}});
      case Command::kShutdown:
        role_.stop();
        *shutdown = true;
        return proto::ok_reply();
      case Command::kConfigure:
        if (!req.body.contains("config"))
          throw proto::ProtocolError("configure: missing object field \"config\"");
        return proto::ok_reply(role_.configure(req.body["config"]));
      case Command::kStart:
        return proto::ok_reply(role_.start());
      case Command::kStop:
        return proto::ok_reply(role_.stop());
      case Command::kStatus:
        return proto::ok_reply(role_.status());
      case Command::kStats:
        return proto::ok_reply(role_.stats(req.body));
      case Command::kReset:
        return proto::ok_reply(role_.reset(req.body));
      case Command::kCrash:
        return proto::ok_reply(role_.crash(req.body));
    }
    return proto::error_reply("unhandled command");
  } catch (const std::exception& e) {
    return proto::error_reply(e.what());
  } catch (...) {
    return proto::error_reply("unknown internal error");
  }
}

void ControlServer::serve(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (!(item.revents & ZMQ_POLLIN)) continue;
    // A request may arrive in several frames; take them all as one text.
    std::string frame;
    zmq::message_t part;
    bool more = true;
    size_t total = 0;
    while (more) {
      if (!sock_.recv(part, zmq::recv_flags::none)) break;
      total += part.size();
      // Past the limit the rest is read (a REP socket must take the whole
      // request before it can reply) but not kept.
      if (total <= kMaxRequestBytes) frame.append(part.data<char>(), part.size());
      more = part.more();
    }
    bool shutdown = false;
    const std::string reply =
        total > kMaxRequestBytes
            ? proto::error_reply("malformed request: too large (" + std::to_string(total) +
                                 " bytes; at most " + std::to_string(kMaxRequestBytes) + ")")
            : handle(frame, &shutdown);
    sock_.send(zmq::buffer(reply), zmq::send_flags::none);
    if (shutdown) {
      // Linger 0 could drop the reply still queued; give it a moment to go.
      sock_.set(zmq::sockopt::linger, 1000);
      return;
    }
  }
  role_.stop();
}

}  // namespace hydra
