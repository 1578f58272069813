// The partition log: offsets, the batch index, byte counts from an offset,
// retention by bytes and by time with what it removed.
#include <gtest/gtest.h>

#include "broker/partition_log.h"
#include "raw_client.h"

namespace hydra::broker {
namespace {

TEST(PartitionLog, AssignsOffsetsAndPatchesBaseOffset) {
  PartitionLog log;
  const std::string b3 = test::make_batch({"a", "b", "c"});
  const std::string b2 = test::make_batch({"d", "e"});
  EXPECT_EQ(log.append(b3, 3, 0, 1000), 0);
  EXPECT_EQ(log.append(b2, 2, 0, 1000), 3);
  EXPECT_EQ(log.high_watermark(), 5);
  EXPECT_EQ(log.log_start(), 0);
  std::vector<BatchData> out;
  log.read(3, 1 << 20, true, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(get_be64(out[0].data.get()), 3);
  // Everything after the baseOffset is as received.
  EXPECT_EQ(std::string(out[0].view().substr(8)), b2.substr(8));
}

TEST(PartitionLog, ReadFindsTheBatchHoldingAnOffset) {
  PartitionLog log;
  // 10,000 batches of 4 records: offsets 4k..4k+3.
  const std::string b = test::make_batch({"w", "x", "y", "z"});
  for (int i = 0; i < 10000; ++i) log.append(b, 4, 0, 0);
  for (int64_t off : {0L, 1L, 3L, 4L, 20001L, 39999L}) {
    std::vector<BatchData> out;
    EXPECT_EQ(log.read(off, 1, true, out), b.size()) << off;
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(get_be64(out[0].data.get()), off / 4 * 4) << off;
  }
  std::vector<BatchData> none;
  EXPECT_EQ(log.read(40000, 1 << 20, true, none), 0u);  // the high watermark: nothing yet
  EXPECT_EQ(log.bytes_from(39996), int64_t(b.size()));
  EXPECT_EQ(log.bytes_from(0), int64_t(b.size()) * 10000);
  EXPECT_EQ(log.bytes_from(40000), 0);
}

TEST(PartitionLog, ReadHonoursMaxBytesButTakesOneBatch) {
  PartitionLog log;
  const std::string b = test::make_batch({"0123456789"});
  for (int i = 0; i < 5; ++i) log.append(b, 1, 0, 0);
  std::vector<BatchData> out;
  EXPECT_EQ(log.read(0, b.size() * 2 + 1, true, out), b.size() * 2);
  EXPECT_EQ(out.size(), 2u);
  out.clear();
  EXPECT_EQ(log.read(0, 1, true, out), b.size());  // larger than max, still one
  out.clear();
  EXPECT_EQ(log.read(0, 1, false, out), 0u);
}

TEST(PartitionLog, RetentionByBytesCountsWhatItRemoved) {
  PartitionLog log;
  const std::string b = test::make_batch({"a", "b"});
  for (int i = 0; i < 10; ++i) log.append(b, 2, 0, 0);
  const Trimmed t = log.trim(int64_t(b.size()) * 3, -1, 0);
  EXPECT_EQ(t.records, 14);
  EXPECT_EQ(t.bytes, int64_t(b.size()) * 7);
  EXPECT_EQ(log.log_start(), 14);
  EXPECT_EQ(log.bytes(), int64_t(b.size()) * 3);
  std::vector<BatchData> out;
  EXPECT_EQ(log.read(2, 1 << 20, true, out), 0u);  // trimmed away
  EXPECT_EQ(log.read(14, 1 << 20, true, out), b.size() * 3);
}

TEST(PartitionLog, RetentionByTime) {
  PartitionLog log;
  const std::string b = test::make_batch({"a"});
  log.append(b, 1, 0, 1000);
  log.append(b, 1, 0, 2000);
  log.append(b, 1, 0, 3000);
  EXPECT_EQ(log.trim(-1, 1500, 3000).records, 1);  // older than 1.5 s: the first
  EXPECT_EQ(log.log_start(), 1);
  EXPECT_EQ(log.trim(-1, -1, 1000000).records, 0);  // no limit, nothing goes
  EXPECT_EQ(log.trim(-1, 0, 1000000).records, 2);
  EXPECT_EQ(log.log_start(), 3);
  EXPECT_EQ(log.high_watermark(), 3);
}

}  // namespace
}  // namespace hydra::broker
