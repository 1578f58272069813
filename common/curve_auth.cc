#include "common/curve_auth.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hydra::curve {
namespace {

constexpr const char* kZ85 =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

// "name = value" lines; the value of `name`, "" when absent.
std::string field(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    if (trim(line.substr(0, eq)) == name) return trim(line.substr(eq + 1));
  }
  return "";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read key file " + path + ": " + strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_new(const std::string& path, const std::string& text, mode_t mode) {
  if (std::filesystem::exists(path))
    throw std::runtime_error(path + " exists; not overwriting a key (remove it first)");
  const mode_t old = umask(0077);
  std::ofstream out(path);
  umask(old);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
  chmod(path.c_str(), mode);
}

}  // namespace

KeyPair generate() {
  char pub[41], sec[41];
  if (!zmq_has("curve") || zmq_curve_keypair(pub, sec) != 0)
    throw std::runtime_error("this libzmq has no CURVE support (zmq_curve_keypair failed)");
  return {pub, sec};
}

std::optional<ServerAuth> server_auth_from_env() {
  const char* sec = std::getenv("HYDRA_CURVE_SECRET");
  if (!sec) return std::nullopt;
  const char* pub = std::getenv("HYDRA_CURVE_PUBLIC");
  const char* allow = std::getenv("HYDRA_CURVE_ALLOW");
  ServerAuth a{{pub ? pub : "", sec}, {}};
  std::stringstream in(allow ? allow : "");
  for (std::string k; std::getline(in, k, ',');)
    if (!k.empty()) a.allowed.push_back(k);
  if (!is_z85_key(a.key.public_key) || !is_z85_key(a.key.secret_key) || a.allowed.empty())
    throw std::runtime_error(
        "HYDRA_CURVE_SECRET is set but HYDRA_CURVE_PUBLIC, HYDRA_CURVE_SECRET or "
        "HYDRA_CURVE_ALLOW is not a valid Z85 key (list)");
  for (const auto& k : a.allowed)
    if (!is_z85_key(k)) throw std::runtime_error("HYDRA_CURVE_ALLOW: not a Z85 key: " + k);
  return a;
}

bool is_z85_key(const std::string& s) {
  return s.size() == 40 && s.find_first_not_of(kZ85) == std::string::npos;
}

std::pair<std::string, std::string> write_key_files(const std::string& dir,
                                                    const std::string& name) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
  const KeyPair k = generate();
  const std::string key = dir + "/" + name + ".key", pub = dir + "/" + name + ".pub";
  const std::string head = "# hydra CurveZMQ key pair (hydra keys)\n";
  write_new(key, head + "public = " + k.public_key + "\nsecret = " + k.secret_key + "\n", 0600);
  write_new(pub, "# hydra CurveZMQ public key\npublic = " + k.public_key + "\n", 0644);
  return {key, pub};
}

KeyPair read_key_file(const std::string& path) {
  const std::string text = slurp(path);
  KeyPair k{field(text, "public"), field(text, "secret")};
  if (!is_z85_key(k.public_key))
    throw std::runtime_error("key file " + path +
                             ": no valid \"public = <40 Z85 characters>\" line");
  if (!is_z85_key(k.secret_key))
    throw std::runtime_error("key file " + path +
                             ": no valid \"secret = <40 Z85 characters>\" line (a .pub file "
                             "holds no secret; give the .key file)");
  return k;
}

std::string read_public_key(const std::string& key_or_path) {
  // A path can be 40 Z85 characters too ("/tmp/.../ctl.pub"): a file wins.
  if (is_z85_key(key_or_path) && !std::filesystem::exists(key_or_path)) return key_or_path;
  const std::string pub = field(slurp(key_or_path), "public");
  if (!is_z85_key(pub))
    throw std::runtime_error("key file " + key_or_path +
                             ": no valid \"public = <40 Z85 characters>\" line");
  return pub;
}

std::string endpoint_host(const std::string& ep) {
  if (ep.rfind("tcp://", 0) != 0) return "";
  std::string rest = ep.substr(6);
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    return close == std::string::npos ? "" : rest.substr(1, close - 1);
  }
  const size_t colon = rest.rfind(':');
  return colon == std::string::npos ? rest : rest.substr(0, colon);
}

std::string with_host(const std::string& ep, const std::string& host) {
  const size_t colon = ep.rfind(':');
  if (ep.rfind("tcp://", 0) != 0 || colon == std::string::npos || colon < 6) return ep;
  const bool v6 = host.find(':') != std::string::npos;
  return "tcp://" + (v6 ? "[" + host + "]" : host) + ep.substr(colon);
}

bool is_loopback_endpoint(const std::string& ep) {
  if (ep.rfind("ipc://", 0) == 0 || ep.rfind("inproc://", 0) == 0) return true;
  const std::string h = endpoint_host(ep);
  return h.rfind("127.", 0) == 0 || h == "localhost" || h == "::1";
}

void make_server(zmq::socket_t& sock, const KeyPair& server) {
  sock.set(zmq::sockopt::curve_server, 1);
  sock.set(zmq::sockopt::curve_secretkey, server.secret_key);
  sock.set(zmq::sockopt::curve_publickey, server.public_key);
  // The ZAP handler is asked for every connection (with no domain set,
  // libzmq skips it for CURVE on some versions).
  sock.set(zmq::sockopt::zap_domain, "hydra");
}

void make_client(zmq::socket_t& sock, const KeyPair& client, const std::string& server_public) {
  sock.set(zmq::sockopt::curve_serverkey, server_public);
  sock.set(zmq::sockopt::curve_publickey, client.public_key);
  sock.set(zmq::sockopt::curve_secretkey, client.secret_key);
}

ZapHandler::ZapHandler(zmq::context_t& ctx, std::vector<std::string> allowed,
                       std::function<void(const std::string&)> log)
    : sock_(ctx, zmq::socket_type::rep), allowed_(std::move(allowed)), log_(std::move(log)) {
  sock_.set(zmq::sockopt::linger, 0);
  sock_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { serve(); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  thread_.join();
}

void ZapHandler::serve() {
  while (!stop_) {
    zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t&) {
      continue;
    }
    if (!(item.revents & ZMQ_POLLIN)) continue;
    // version, request id, domain, address, identity, mechanism, credentials...
    std::vector<std::string> frames;
    zmq::message_t part;
    do {
      if (!sock_.recv(part, zmq::recv_flags::none)) break;
      frames.push_back(part.to_string());
    } while (part.more());
    if (frames.size() < 6) continue;  // not a ZAP request; nothing to answer
    std::string key, status = "400", text = "refused";
    if (frames[5] == "CURVE" && frames.size() >= 7 && frames[6].size() == 32) {
      char z85[41];
      zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(frames[6].data()), 32);
      key = z85;
      if (std::find(allowed_.begin(), allowed_.end(), key) != allowed_.end())
        status = "200", text = "OK";
    }
    if (status != "200") {
      ++refused_;
      if (log_)
        log_("refused a control connection from " + frames[3] + " (" + frames[5] +
             (key.empty() ? "" : ", client key " + key) + "): not the controller's key");
    }
    const std::vector<std::string> reply{"1.0", frames[1], status, text, "", ""};
    for (size_t i = 0; i < reply.size(); ++i)
      sock_.send(zmq::buffer(reply[i]),
                 i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

}  // namespace hydra::curve
