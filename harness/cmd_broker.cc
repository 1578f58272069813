// hydra broker: hosts the embedded broker until SIGINT/SIGTERM.
#include <signal.h>

#include <iostream>

#include <boost/program_options.hpp>

#include "harness/commands.h"
#include "harness/embedded_broker.h"

namespace po = boost::program_options;

namespace hydra {

int cmd_broker(const Args& args) {
  int brokers = 1, partitions = 1, replication = 1;
  std::string topic, kind_name = "hydra";
  po::options_description desc("hydra broker: run the embedded broker");
  desc.add_options()("help,h", "show this help")("brokers", po::value(&brokers)->default_value(1),
                                                 "number of brokers (1..16)")(
      "kind", po::value(&kind_name)->default_value("hydra"),
      "hydra (Hydra's own broker) or mock (librdkafka's mock cluster)")("topic", po::value(&topic),
                                                                        "create this topic")(
      "partitions", po::value(&partitions)->default_value(1), "partitions of --topic")(
      "replication", po::value(&replication)->default_value(1), "replication of --topic");
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    EmbeddedBroker::parse_kind(kind_name);
    if (topic.empty() && (!vm["partitions"].defaulted() || !vm["replication"].defaulted()))
      throw std::invalid_argument("--partitions and --replication need --topic");
  } catch (const std::exception& e) {
    std::cerr << "hydra broker: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  // Block the signals before any thread starts so every thread inherits the
  // mask and sigwait() below is the one place they arrive.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    EmbeddedBroker broker(brokers, EmbeddedBroker::parse_kind(kind_name));
    if (!topic.empty()) broker.create_topic(topic, partitions, replication);
    std::cout << broker.bootstrap() << std::endl;
    std::cerr << "hydra broker: " << brokers << " " << kind_name << " broker(s) on "
              << broker.bootstrap() << (topic.empty() ? "" : ", topic " + topic)
              << "; Ctrl-C to stop\n";
    int sig = 0;
    sigwait(&set, &sig);
  } catch (const std::invalid_argument& e) {
    std::cerr << "hydra broker: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "hydra broker: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace hydra
