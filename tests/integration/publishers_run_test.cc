// Several publisher agents as a user runs them: scenarios/sensor-pipeline.json
// (two generators, each its own hydra-agent process and producer) shortened
// completes lossless with each generator's figures in the step JSON, and a
// bad generator entry is refused by `hydra validate` with exit 2, naming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "results_csv.h"
#include "subprocess.h"

namespace hydra::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
const std::string kSensor = std::string(HYDRA_SOURCE_DIR) + "/scenarios/sensor-pipeline.json";

TEST(PublishersRun, SensorPipelineShortenedCountsBothGenerators) {
  const fs::path out = temp_dir("sensor");
  const auto v = run_command({kHydra, "validate", kSensor}, 30s);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  const auto r =
      run_command({kHydra, "run", kSensor, "--out", out.string(), "--quiet", "--set",
                   "duration_s=1", "--set", "warmup_s=0.5", "--set", "sweep.publisher.rate=[50]"},
                  120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto rows = read_csv(out / "results.csv");
  ASSERT_EQ(rows.size(), 1u);
  const CsvRow& row = rows[0];
  EXPECT_EQ(row.at("status"), "ok") << row.at("error");
  EXPECT_EQ(row.at("lost"), "0");
  EXPECT_EQ(row.at("decode_errors"), "0");
  EXPECT_EQ(std::stod(row.at("msg_rate")), 100.0);  // 50 Hz each
  std::ifstream in(out / "steps" / "000-r0.json");
  const auto step = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(step.is_object());
  ASSERT_EQ(step["publishers"].size(), 2u);
  const auto& simple = step["publishers"][0];
  const auto& rich = step["publishers"][1];
  EXPECT_EQ(simple["encoding"], "binary");
  EXPECT_EQ(rich["encoding"], "json");
  EXPECT_NE(simple["producer_id"], rich["producer_id"]);
  ASSERT_EQ(step["windows"].size(), 2u);
  // Each sent about 50 in the 1 s window; the row counts both.
  const uint64_t s0 = simple["sent"].get<uint64_t>(), s1 = rich["sent"].get<uint64_t>();
  EXPECT_NEAR(double(s0), 50, 10);
  EXPECT_NEAR(double(s1), 50, 10);
  EXPECT_EQ(std::stoull(row.at("packet_tx")), s0 + s1);
  EXPECT_EQ(step["clients"][0]["unique"].get<uint64_t>(), s0 + s1);
  EXPECT_DOUBLE_EQ(simple["payload_bytes"].get<double>(), 104);
  EXPECT_GT(rich["payload_bytes"].get<double>(), 200);
  EXPECT_TRUE(simple["encode_us"].is_null());
  EXPECT_GT(rich["encode_us"].get<double>(), 0);
  EXPECT_GE(std::stoll(row.at("proc_records")), int64_t(s0 + s1));
  fs::remove_all(out);
}

TEST(PublishersRun, ABadGeneratorIsExit2NamingIt) {
  const fs::path dir = temp_dir("bad");
  const fs::path file = dir / "bad.json";
  std::ofstream(file) << R"({"publisher": {"generators": [{"rate": 5}, {"rate": "fast"}]}})";
  const auto v = run_command({kHydra, "validate", file.string()}, 30s);
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("publisher.generators[1].rate: must be a number >= 0 (got \"fast\")"),
            std::string::npos)
      << v.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hydra::test
