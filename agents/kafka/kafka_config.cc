#include "agents/kafka/kafka_config.h"

#include <stdexcept>

#include "agents/kafka/kafka_log.h"

namespace hydra {

rd_kafka_conf_t* make_kafka_conf(const KafkaPropMap& defaults, const KafkaPropMap& overrides) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // librdkafka's lines go through Hydra's log sink, never raw to stderr.
  set_kafka_log_callback(conf);
  char err[512];
  auto apply = [&](const KafkaPropMap& props) {
    for (const auto& [k, v] : props) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::invalid_argument("kafka." + k + ": " + err);
      }
    }
  };
  apply(defaults);
  apply(overrides);
  return conf;
}

}  // namespace hydra
