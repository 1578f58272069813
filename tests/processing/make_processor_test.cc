// make_processor: device selection and errors; ProcessingConfig validation
// and JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agents/processing/processor.h"

namespace hydra {
namespace {

ProcessingConfig config(const std::string& kind, const std::string& device) {
  ProcessingConfig cfg;
  cfg.kind = kind;
  cfg.device = device;
  return cfg;
}

TEST(MakeProcessor, GpuWithoutGpuIsUnavailable) {
  std::string why;
  if (gpu_available(&why)) GTEST_SKIP() << "a GPU is usable here (" << why << ")";
  EXPECT_FALSE(why.empty());
  try {
    make_processor(config("zscore", "gpu"));
    FAIL() << "expected ProcessingUnavailable";
  } catch (const ProcessingUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
}

TEST(MakeProcessor, AutoWithoutGpuFallsBackToCpuWithANote) {
  std::string why;
  if (gpu_available(&why)) GTEST_SKIP() << "a GPU is usable here (" << why << ")";
  std::string note;
  auto p = make_processor(config("mlp", "auto"), &note);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->device_name().rfind("cpu", 0), 0u) << p->device_name();
  EXPECT_NE(note.find("using cpu"), std::string::npos) << note;
  EXPECT_NE(note.find(why), std::string::npos) << note;
}

TEST(MakeProcessor, AutoWithGpuUsesIt) {
  std::string why;
  if (!gpu_available(&why)) GTEST_SKIP() << "no usable GPU: " << why;
  std::string note = "stale";
  auto p = make_processor(config("zscore", "auto"), &note);
  EXPECT_EQ(p->device_name().rfind("gpu", 0), 0u) << p->device_name();
  EXPECT_TRUE(note.empty()) << note;
}

TEST(MakeProcessor, CpuNamesItsThreads) {
  auto cfg = config("zscore", "cpu");
  EXPECT_EQ(make_processor(cfg)->device_name(), "cpu (1 thread)");
  cfg.threads = 3;
  EXPECT_EQ(make_processor(cfg)->device_name(), "cpu (3 threads)");
  cfg.threads = 0;  // all cores
  EXPECT_EQ(make_processor(cfg)->device_name().rfind("cpu (", 0), 0u);
}

TEST(MakeProcessor, KindNoneNeedsNoDevice) {
  auto p = make_processor(config("none", "gpu"));
  EXPECT_EQ(p->device_name(), "none");
}

TEST(MakeProcessor, RejectsBadConfigsNamingTheField) {
  auto expect_bad = [](ProcessingConfig cfg, const std::string& field) {
    try {
      make_processor(cfg);
      ADD_FAILURE() << "expected invalid_argument for " << field;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("processing." + field), std::string::npos) << e.what();
    }
  };
  auto c = config("fft", "cpu");
  expect_bad(c, "kind");
  c = config("mlp", "tpu");
  expect_bad(c, "device");
  c = config("mlp", "cpu");
  c.batch = 0;
  expect_bad(c, "batch");
  c = config("mlp", "cpu");
  c.linger_ms = -1;
  expect_bad(c, "linger_ms");
  c = config("mlp", "cpu");
  c.threads = -2;
  expect_bad(c, "threads");
  c = config("window-agg", "cpu");
  c.window_ms = 0;
  expect_bad(c, "window_ms");
  c = config("zscore", "cpu");
  c.key_slots = 1000;  // not a power of two
  expect_bad(c, "key_slots");
}

TEST(ProcessingConfig, JsonRoundTripsAndDefaults) {
  ProcessingConfig c;
  c.kind = "window-agg";
  c.device = "auto";
  c.batch = 1024;
  c.linger_ms = 0.5;
  c.threads = 4;
  c.window_ms = 250;
  c.key_slots = 1024;
  const auto back = ProcessingConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  const auto d = ProcessingConfig::from_json(nlohmann::json{{"kind", "mlp"}});
  EXPECT_EQ(d.kind, "mlp");
  EXPECT_EQ(d.batch, ProcessingConfig{}.batch);
  EXPECT_EQ(ProcessingConfig::from_json(nullptr).kind, "none");
}

TEST(ProcessingConfig, JsonRejectsUnknownKeysAndWrongTypes) {
  EXPECT_THROW(ProcessingConfig::from_json(nlohmann::json{{"batchsize", 10}}),
               std::invalid_argument);
  EXPECT_THROW(ProcessingConfig::from_json(nlohmann::json{{"batch", "10"}}), std::invalid_argument);
  EXPECT_THROW(ProcessingConfig::from_json(nlohmann::json{{"kind", "nope"}}),
               std::invalid_argument);
  EXPECT_THROW(ProcessingConfig::from_json(nlohmann::json::array()), std::invalid_argument);
}

}  // namespace
}  // namespace hydra
