package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// offsets reads the results topic's high watermarks and the consumer
// group's committed offsets: how far the aggregator got, seen from outside.
type offsets struct {
	client      *kafka.Client
	topic       string
	group       string
	partitions  []int
	coordinator net.Addr
}

func newOffsets(ctx context.Context, broker, topic, group string) (*offsets, error) {
	o := &offsets{client: &kafka.Client{Addr: kafka.TCP(broker), Timeout: 10 * time.Second}, topic: topic, group: group}
	md, err := o.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("read metadata of %s: %w", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("read metadata of %s: %w", topic, t.Error)
		}
		for _, p := range t.Partitions {
			o.partitions = append(o.partitions, p.ID)
		}
	}
	if len(o.partitions) == 0 {
		return nil, fmt.Errorf("read metadata of %s: no partitions", topic)
	}
	fc, err := o.client.FindCoordinator(ctx, &kafka.FindCoordinatorRequest{Key: group, KeyType: kafka.CoordinatorKeyTypeConsumer})
	if err != nil {
		return nil, fmt.Errorf("find the coordinator of group %s: %w", group, err)
	}
	if fc.Error != nil {
		return nil, fmt.Errorf("find the coordinator of group %s: %w", group, fc.Error)
	}
	o.coordinator = kafka.TCP(net.JoinHostPort(fc.Coordinator.Host, strconv.Itoa(fc.Coordinator.Port)))
	return o, nil
}

// high returns each partition's high watermark: the offset its next
// message will get.
func (o *offsets) high(ctx context.Context) (map[int]int64, error) {
	reqs := make([]kafka.OffsetRequest, len(o.partitions))
	for i, p := range o.partitions {
		reqs[i] = kafka.LastOffsetOf(p)
	}
	resp, err := o.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{o.topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", o.topic, err)
	}
	out := make(map[int]int64, len(o.partitions))
	for _, p := range resp.Topics[o.topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("list offsets of %s[%d]: %w", o.topic, p.Partition, p.Error)
		}
		out[p.Partition] = p.LastOffset
	}
	if len(out) != len(o.partitions) {
		return nil, fmt.Errorf("list offsets of %s: %d of %d partitions answered", o.topic, len(out), len(o.partitions))
	}
	return out, nil
}

// committed returns the group's committed offset per partition; a
// partition without a commit is absent.
func (o *offsets) committed(ctx context.Context) (map[int]int64, error) {
	resp, err := o.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{Addr: o.coordinator, GroupID: o.group,
		Topics: map[string][]int{o.topic: o.partitions}})
	if err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", o.group, err)
	}
	if errors.Is(resp.Error, kafka.GroupIdNotFound) {
		return map[int]int64{}, nil // the aggregator has not joined yet
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", o.group, resp.Error)
	}
	out := map[int]int64{}
	for _, p := range resp.Topics[o.topic] {
		switch {
		case errors.Is(p.Error, kafka.UnknownTopicOrPartition):
		case p.Error != nil:
			return nil, fmt.Errorf("fetch offsets of group %s on %s[%d]: %w", o.group, o.topic, p.Partition, p.Error)
		case p.CommittedOffset >= 0:
			out[p.Partition] = p.CommittedOffset
		}
	}
	return out, nil
}

// progress is how many of the messages below the marks the committed
// offsets cover, and whether they cover all of them.
func progress(marks, committed map[int]int64) (done int64, all bool) {
	all = true
	for p, hw := range marks {
		c := min(committed[p], hw)
		done += c
		if c < hw {
			all = false
		}
	}
	return done, all
}

// sum adds up the marks: the number of messages on a fresh topic.
func sum(marks map[int]int64) int64 {
	var n int64
	for _, v := range marks {
		n += v
	}
	return n
}
