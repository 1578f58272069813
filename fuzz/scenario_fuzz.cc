// libFuzzer target: the scenario loader (harness/scenario.h
// load_scenario_json + parse_scenario), what `hydra run` and `hydra
// validate` do with a user's file. Every refusal must be a ScenarioError
// (the commands catch only that and exit 2); any other exception, a crash or
// a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto doc = hydra::load_scenario_json(text, "fuzz.json");
    (void)hydra::parse_scenario(doc, "fuzz.json");
  } catch (const hydra::ScenarioError&) {
  }
  return 0;
}
