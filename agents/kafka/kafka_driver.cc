#include "agents/kafka/kafka_driver.h"

#include <stdexcept>

#include "agents/kafka/kafka_admin.h"
#include "agents/kafka/kafka_config.h"
#include "agents/kafka/kafka_consumer.h"
#include "agents/kafka/kafka_factories.h"
#include "agents/kafka/kafka_producer.h"

namespace hydra {
namespace {

// Murmur2 as Kafka specifies it for partitioning (seed 0x9747b28c, key bytes
// read little-endian four at a time).
uint32_t murmur2(std::string_view key) {
  constexpr uint32_t kSeed = 0x9747b28c, kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t len = key.size();
  uint32_t h = kSeed ^ uint32_t(len);
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint32_t k = uint32_t(data[i]) | uint32_t(data[i + 1]) << 8 | uint32_t(data[i + 2]) << 16 |
                 uint32_t(data[i + 3]) << 24;
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  switch (len - i) {
    case 3:
      h ^= uint32_t(data[i + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t(data[i + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t(data[i]);
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return h;
}

KafkaPropMap section_properties(const nlohmann::json& section) {
  KafkaPropMap props;
  if (section.is_null()) return props;
  if (!section.is_object())
    throw std::invalid_argument("kafka driver: the section must be an object (got " +
                                section.dump() + ")");
  for (const auto& [k, v] : section.items())
    if (k != "properties")
      throw std::invalid_argument("kafka driver: unknown setting \"" + k +
                                  "\" (known: properties)");
  if (!section.contains("properties")) return props;
  const auto& p = section.at("properties");
  if (!p.is_object())
    throw std::invalid_argument(
        "kafka driver: properties must be an object of librdkafka "
        "properties");
  for (const auto& [k, v] : p.items()) {
    if (v.is_string())
      props[k] = v.get<std::string>();
    else if (v.is_number() || v.is_boolean())
      props[k] = v.dump();
    else
      throw std::invalid_argument("kafka driver: properties." + k +
                                  ": must be a string, number or boolean");
  }
  // librdkafka judges each one now, so a bad name fails here, not per client.
  rd_kafka_conf_destroy(make_kafka_conf({}, props));
  return props;
}

// `base` with `top` laid over it.
KafkaPropMap merged(KafkaPropMap base, const KafkaPropMap& top) {
  for (const auto& [k, v] : top) base[k] = v;
  return base;
}

class KafkaDriver final : public MessagingDriver {
 public:
  explicit KafkaDriver(KafkaPropMap props) : props_(std::move(props)) {}

  std::string name() const override { return "kafka"; }

  std::unique_ptr<ProducerDriver> make_producer(const proto::PublisherConfig& c,
                                                DeliveryFn on_delivery) override {
    return std::make_unique<KafkaProducer>(c.bootstrap, c.topic,
                                           merged(publisher_kafka_defaults(c), props_), c.kafka,
                                           std::move(on_delivery), c.partitions);
  }

  std::unique_ptr<ConsumerDriver> make_consumer(const proto::SubscriberConfig& c,
                                                int client_id) override {
    if (props_.empty()) return make_kafka_consumer(c, client_id);
    proto::SubscriberConfig with = c;
    with.kafka = merged(props_, c.kafka);
    return make_kafka_consumer(with, client_id);
  }

  int32_t partition_for_key(std::string_view key, int32_t partitions) const override {
    return kafka_partition_for_key(key, partitions);
  }

  std::unique_ptr<TopicAdmin> make_admin(const AdminTarget& target) override {
    return make_kafka_admin(target, props_);
  }

 private:
  KafkaPropMap props_;  // the section's properties
};

}  // namespace

std::unique_ptr<MessagingDriver> make_kafka_driver(const nlohmann::json& section) {
  return std::make_unique<KafkaDriver>(section_properties(section));
}

int32_t kafka_partition_for_key(std::string_view key, int32_t partitions) {
  if (partitions < 1) throw std::invalid_argument("partition_for_key: partitions must be >= 1");
  return int32_t((murmur2(key) & 0x7fffffff) % uint32_t(partitions));
}

}  // namespace hydra
