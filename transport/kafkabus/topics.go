// Package kafkabus carries statusd's messages over Kafka with kafka-go:
// check definitions on a compacted topic that agents read whole, probe
// results on a partitioned topic keyed by component that aggregators
// consume as one consumer group, and agent heartbeats that every
// aggregator reads whole.
package kafkabus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// Topics names the topics statusd uses.
type Topics struct {
	Checks     string
	Results    string
	Heartbeats string
}

// TopicsWithPrefix returns the topic names under a prefix such as "statusd.".
func TopicsWithPrefix(prefix string) Topics {
	return Topics{Checks: prefix + "checks", Results: prefix + "results", Heartbeats: prefix + "heartbeats"}
}

// Heartbeat topic settings: a few partitions, since every aggregator reads
// them all, and an hour of history, of which a starting aggregator reads
// the last DefaultHeartbeatLookback. Brokers that honour LogAppendTime stamp heartbeats
// with their own clock rather than the agent's.
const (
	heartbeatPartitions = 3
	heartbeatRetention  = time.Hour
)

// EnsureTopics creates the topics that do not exist yet: the checks topic
// compacted with one partition, the results topic with resultPartitions,
// the heartbeats topic with heartbeatPartitions and heartbeatRetention.
func EnsureTopics(ctx context.Context, brokers []string, t Topics, resultPartitions int) error {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: t.Checks, NumPartitions: 1, ReplicationFactor: -1,
			ConfigEntries: []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}}},
		{Topic: t.Results, NumPartitions: resultPartitions, ReplicationFactor: -1},
		{Topic: t.Heartbeats, NumPartitions: heartbeatPartitions, ReplicationFactor: -1,
			ConfigEntries: []kafka.ConfigEntry{
				{ConfigName: "retention.ms", ConfigValue: strconv.FormatInt(heartbeatRetention.Milliseconds(), 10)},
				{ConfigName: "message.timestamp.type", ConfigValue: "LogAppendTime"},
			}},
	}})
	if err != nil {
		return fmt.Errorf("create topics on %v: %w", brokers, err)
	}
	for topic, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", topic, err)
		}
	}
	return nil
}

// lastOffset returns the offset the next message of partition 0 will get.
func lastOffset(ctx context.Context, brokers []string, topic string) (int64, error) {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0)}},
	})
	if err != nil {
		return 0, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Partition == 0 {
			if p.Error != nil {
				return 0, fmt.Errorf("list offsets of %s: %w", topic, p.Error)
			}
			return p.LastOffset, nil
		}
	}
	return 0, fmt.Errorf("list offsets of %s: partition 0 missing from the answer", topic)
}
