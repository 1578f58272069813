// Several topics (topic.count): the controller creates `<name>-0` ..
// `<name>-<count-1>` and hands the agents their names as one comma-separated
// list in the configuration's `topic` field (Kafka topic names cannot hold a
// comma). The publisher spreads its messages over them in turn and numbers
// streams topic_index x partitions + partition (the header's partition
// field, so sequences stay per stream); every subscriber client reads every
// topic. One topic is the plain name, as before.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hydra {

inline std::vector<std::string> split_topics(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const size_t end = comma == std::string_view::npos ? list.size() : comma;
    if (end > start) out.emplace_back(list.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace hydra
