"""kafka-python against `hydra broker`: the admin client creates a topic,
a producer with acks=all writes to it, a consumer group reads every message
and commits, a second consumer of the group finds the commits, and the
admin client deletes the topic. Exits 0 and prints "kafka-python: ok" only
when every check holds. Usage: kafka_python_test.py BOOTSTRAP"""
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError


def check(cond, what):
    if not cond:
        print("FAILED: " + what)
        sys.exit(1)


def main():
    bootstrap = sys.argv[1]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20000)
    admin.create_topics([NewTopic("py-topic", num_partitions=2, replication_factor=2)])
    check("py-topic" in admin.list_topics(), "created topic is listed")
    try:
        admin.create_topics([NewTopic("py-topic", num_partitions=2, replication_factor=1)])
        check(False, "creating an existing topic fails")
    except TopicAlreadyExistsError:
        pass

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = [producer.send("py-topic", ("v%d" % i).encode()) for i in range(300)]
    producer.flush(30)
    offsets = [f.get(timeout=30) for f in futures]
    check(len(offsets) == 300, "every send acknowledged")
    producer.close()

    consumer = KafkaConsumer("py-topic", bootstrap_servers=bootstrap, group_id="py-group",
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=10000)
    got = [m.value.decode() for m in consumer]
    check(sorted(got) == sorted("v%d" % i for i in range(300)),
          "the group read every message once (got %d)" % len(got))
    consumer.commit()
    consumer.close()

    again = KafkaConsumer(bootstrap_servers=bootstrap, group_id="py-group",
                          enable_auto_commit=False)
    committed = sum(again.committed(TopicPartition("py-topic", p)) or 0 for p in (0, 1))
    check(committed == 300, "commits cover every message (got %d)" % committed)
    again.close()

    admin.delete_topics(["py-topic"])
    check("py-topic" not in admin.list_topics(), "deleted topic is gone")
    admin.close()
    print("kafka-python: ok")


if __name__ == "__main__":
    main()
