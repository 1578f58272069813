// CurveZMQ for the control sockets that leave the host: key pairs and their
// files, the server and client socket options, and the ZAP handler that lets
// only the controller's key in. Used by the agent daemon and the agents it
// starts (agents/daemon.h, agents/control_server.h), by the controller's
// clients (harness/agent_client.h) and by `hydra keys` (harness/cmd_keys.cc).
//
// Why a handler: a CURVE server without one accepts any client that knows the
// server's public key; the handler is what refuses every other controller.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace hydra::curve {

// Z85 text, 40 characters each.
struct KeyPair {
  std::string public_key;
  std::string secret_key;
};

// What a CURVE server needs: its own pair and the client keys it lets in.
struct ServerAuth {
  KeyPair key;
  std::vector<std::string> allowed;
};

// The ServerAuth a daemon hands its agents through the environment
// (HYDRA_CURVE_PUBLIC, HYDRA_CURVE_SECRET, HYDRA_CURVE_ALLOW: comma-separated);
// empty when HYDRA_CURVE_SECRET is unset. Throws std::runtime_error for a
// malformed key.
std::optional<ServerAuth> server_auth_from_env();

// A fresh pair (zmq_curve_keypair). Throws std::runtime_error when libzmq was
// built without CURVE.
KeyPair generate();

// Writes DIR/NAME.key (public and secret, mode 0600) and DIR/NAME.pub (public
// only); DIR is created. Refuses to overwrite an existing file. Returns the
// two paths; throws std::runtime_error naming the file that failed.
std::pair<std::string, std::string> write_key_files(const std::string& dir,
                                                    const std::string& name);

// Reads a .key file (both lines required). Throws std::runtime_error naming
// the file and what is missing or malformed.
KeyPair read_key_file(const std::string& path);

// A public key given as 40 Z85 characters or as the path of a .pub or .key
// file (an existing file wins: a path may look like a key). Throws
// std::runtime_error naming what is wrong.
std::string read_public_key(const std::string& key_or_path);

// True for 40 characters of the Z85 alphabet.
bool is_z85_key(const std::string& s);

// True when a ZeroMQ endpoint cannot be reached from another host: tcp on
// 127.0.0.0/8, localhost or ::1, and ipc:// and inproc://.
bool is_loopback_endpoint(const std::string& endpoint);

// The host part of tcp://HOST:PORT ("" when it is not one).
std::string endpoint_host(const std::string& endpoint);
// tcp://HOST:PORT with HOST replaced.
std::string with_host(const std::string& endpoint, const std::string& host);

// Socket options, set before bind or connect.
void make_server(zmq::socket_t& sock, const KeyPair& server);
void make_client(zmq::socket_t& sock, const KeyPair& client, const std::string& server_public);

// Answers ZAP requests for every CURVE socket of `ctx` from its own thread:
// a client whose public key is in `allowed` gets in; anyone else is refused
// and `log` is told who (address and key). Construct it before the server
// socket binds; destroy it after the socket is closed.
class ZapHandler {
 public:
  ZapHandler(zmq::context_t& ctx, std::vector<std::string> allowed,
             std::function<void(const std::string&)> log);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  int refused() const { return refused_.load(); }

 private:
  void serve();

  zmq::socket_t sock_;
  std::vector<std::string> allowed_;
  std::function<void(const std::string&)> log_;
  std::atomic<bool> stop_{false};
  std::atomic<int> refused_{0};
  std::thread thread_;
};

}  // namespace hydra::curve
