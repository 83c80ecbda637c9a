package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// kafkaTimeout bounds one request to the broker.
const kafkaTimeout = 10 * time.Second

func kafkaClient(broker string) *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(broker), Timeout: kafkaTimeout}
}

// createTopic creates a topic with the given partitions, as the
// aggregator would, so a test can write to it before any aggregator runs.
func createTopic(t *testing.T, broker, topic string, partitions int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kafkaTimeout)
	defer cancel()
	resp, err := kafkaClient(broker).CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: topic, NumPartitions: partitions, ReplicationFactor: -1}}})
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	if err := resp.Errors[topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

// newResultWriter returns a writer that partitions by key like the agents'
// publisher (murmur2, as the Java client does). It has a transport of its
// own: kafka-go's shared one caches the metadata of earlier tests' topics
// and answers Unknown Topic Or Partition for a topic created since.
func newResultWriter(t *testing.T, broker, topic string) *kafka.Writer {
	t.Helper()
	transport := &kafka.Transport{}
	w := &kafka.Writer{Addr: kafka.TCP(broker), Topic: topic, Balancer: &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond, BatchSize: 1000, Transport: transport}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close result writer: %v", err)
		}
		transport.CloseIdleConnections()
	})
	return w
}

// partitionOf returns the partition the agents' balancer picks for key.
func partitionOf(key string, partitions int) int {
	all := make([]int, partitions)
	for i := range all {
		all[i] = i
	}
	return (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: []byte(key)}, all...)
}

// topicMessage is a message and where it sits on its topic.
type topicMessage struct {
	partition int
	offset    int64
	key       string
	value     []byte
}

// endOffsets returns, per partition, the offset the next message will get.
func endOffsets(t *testing.T, broker, topic string) map[int]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kafkaTimeout)
	defer cancel()
	reqs := make([]kafka.OffsetRequest, resultsPartitions)
	for p := range reqs {
		reqs[p] = kafka.LastOffsetOf(p)
	}
	resp, err := kafkaClient(broker).ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		t.Fatalf("list offsets of %s: %v", topic, err)
	}
	out := map[int]int64{}
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			t.Fatalf("list offsets of %s partition %d: %v", topic, po.Partition, po.Error)
		}
		out[po.Partition] = po.LastOffset
	}
	return out
}

// readTopic reads every partition of topic from its start to its current
// end, in partition and offset order.
func readTopic(t *testing.T, broker, topic string) []topicMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ends := endOffsets(t, broker, topic)
	var out []topicMessage
	for _, p := range slices.Sorted(maps.Keys(ends)) {
		if ends[p] == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: topic, Partition: p, MaxWait: 200 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read %s partition %d: %v", topic, p, err)
			}
			out = append(out, topicMessage{partition: p, offset: m.Offset, key: string(m.Key), value: m.Value})
			if m.Offset >= ends[p]-1 {
				break
			}
		}
		if err := r.Close(); err != nil {
			t.Fatalf("close reader of %s partition %d: %v", topic, p, err)
		}
	}
	return out
}

// committedOffsets returns the group's committed offset per partition of
// topic; -1 where it committed none.
func committedOffsets(t *testing.T, broker, group, topic string) map[int]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kafkaTimeout)
	defer cancel()
	parts := make([]int, resultsPartitions)
	for i := range parts {
		parts[i] = i
	}
	resp, err := kafkaClient(broker).OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err == nil {
		err = resp.Error
	}
	if err != nil {
		t.Fatalf("fetch offsets of group %s: %v", group, err)
	}
	out := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			t.Fatalf("fetch offset of group %s partition %d: %v", group, p.Partition, p.Error)
		}
		out[p.Partition] = p.CommittedOffset
	}
	return out
}

// caughtUp reports whether the group committed the end of every partition.
func caughtUp(t *testing.T, broker, group, topic string, ends map[int]int64) bool {
	t.Helper()
	got := committedOffsets(t, broker, group, topic)
	for p, end := range ends {
		if end > 0 && got[p] != end {
			return false
		}
	}
	return true
}

// resetGroupOffsets commits offset 0 on every partition of topic for a
// group without members (a simple commit, generation -1), then reads the
// offsets back to prove the reset took effect. The broker refuses simple
// commits while members remain, so it retries until the last one left.
func resetGroupOffsets(t *testing.T, broker, group, topic string) {
	t.Helper()
	commits := make([]kafka.OffsetCommit, resultsPartitions)
	for p := range commits {
		commits[p] = kafka.OffsetCommit{Partition: p, Offset: 0}
	}
	var last error
	waitFor(t, 30*time.Second, "group "+group+" to accept the offset reset", func() bool {
		last = commitOffsets(broker, group, topic, commits)
		return last == nil
	})
	for p, off := range committedOffsets(t, broker, group, topic) {
		if off != 0 {
			t.Fatalf("after the reset group %s has offset %d on partition %d, want 0 (last commit error: %v)", group, off, p, last)
		}
	}
}

func commitOffsets(broker, group, topic string, commits []kafka.OffsetCommit) error {
	ctx, cancel := context.WithTimeout(context.Background(), kafkaTimeout)
	defer cancel()
	resp, err := kafkaClient(broker).OffsetCommit(ctx, &kafka.OffsetCommitRequest{
		GroupID: group, GenerationID: -1, Topics: map[string][]kafka.OffsetCommit{topic: commits}})
	if err != nil {
		return fmt.Errorf("commit offsets of group %s: %w", group, err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return fmt.Errorf("commit offset of group %s partition %d: %w", group, p.Partition, p.Error)
		}
	}
	return nil
}

// groupAssignments returns, per member ID of the group, the partitions of
// topic it was assigned, sorted.
func groupAssignments(t *testing.T, broker, group, topic string) map[string][]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), kafkaTimeout)
	defer cancel()
	resp, err := kafkaClient(broker).DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		t.Fatalf("describe group %s: %v", group, err)
	}
	out := map[string][]int{}
	for _, g := range resp.Groups {
		if g.Error != nil {
			t.Fatalf("describe group %s: %v", group, g.Error)
		}
		for _, m := range g.Members {
			var parts []int
			for _, mt := range m.MemberAssignments.Topics {
				if mt.Topic == topic {
					parts = append(parts, mt.Partitions...)
				}
			}
			slices.Sort(parts)
			out[m.MemberID] = parts
		}
	}
	return out
}
