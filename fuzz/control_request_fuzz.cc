// libFuzzer target: the agent's control-request parser (common/protocol.h
// parse_request) and, for a configure request, both configurations'
// from_json, as ControlServer::handle runs them. Every refusal must be an
// exception the server turns into an error reply (std::exception); a crash,
// a sanitizer report or another exception is a bug.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>

#include "common/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  try {
    const hydra::proto::Request req = hydra::proto::parse_request(frame);
    if (req.body.contains("config")) {
      try {
        (void)hydra::proto::PublisherConfig::from_json(req.body["config"]).to_json();
      } catch (const std::exception&) {
      }
      try {
        (void)hydra::proto::SubscriberConfig::from_json(req.body["config"]).to_json();
      } catch (const std::exception&) {
      }
    }
    if (req.body.contains("window")) {
      try {
        (void)hydra::proto::windows_from_json(req.body["window"]);
      } catch (const std::exception&) {
      }
    }
  } catch (const std::exception&) {
  }
  return 0;
}
