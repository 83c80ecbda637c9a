package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/statusd/statusd/result"
)

// consumeOnly reads the pre-loaded messages with one bare kafka-go Reader
// per partition (no consumer group, no commits, nothing decoded) from the
// first offset up to the marks, and returns how many it read and how long
// that took.
func consumeOnly(ctx context.Context, broker, topic string, marks map[int]int64) (int64, time.Duration, error) {
	var (
		read atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := time.Now()
	for p, hw := range marks {
		if hw == 0 {
			continue
		}
		wg.Go(func() {
			n, err := consumePartition(ctx, broker, topic, p, hw)
			read.Add(n)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return read.Load(), time.Since(start), errors.Join(errs...)
}

func consumePartition(ctx context.Context, broker, topic string, partition int, hw int64) (n int64, err error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: topic, Partition: partition,
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond, QueueCapacity: 1000})
	defer func() {
		if cerr := r.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close reader of %s[%d]: %w", topic, partition, cerr)
		}
	}()
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return n, fmt.Errorf("read %s[%d] at %d of %d: %w", topic, partition, n, hw, err)
		}
		n++
		if m.Offset+1 >= hw {
			return n, nil
		}
	}
}

// scratchTable is store/chstore's results table (copied, so that a change
// there shows as a difference here), created under another name.
const scratchTable = `CREATE TABLE {table} (
		time          DateTime,
		scheduled_ms  Int64,
		started_ms    Int64,
		result_id     String,
		check_id      String,
		component_id  String,
		agent_id      String,
		region        String,
		check_version Int64,
		duration_us   Int64,
		dns_us        Int64,
		connect_us    Int64,
		tls_us        Int64,
		first_byte_us Int64,
		transfer_us   Int64,
		success       UInt8,
		status_code   Int32,
		error_class   String,
		message       String,
		kafka_partition Int32,
		kafka_offset  Int64,
		rcode         String,
		packet_loss   Float64,
		rtt_min_us    Int64,
		rtt_avg_us    Int64,
		rtt_max_us    Int64,
		cert_expiry_ms Int64,
		cert_days_left Int32,
		degraded      UInt8
	) ENGINE = ReplacingMergeTree()
	PARTITION BY toYYYYMMDD(time)
	ORDER BY (component_id, check_id, time, result_id)`

// scratchInsert is chstore's insert, with its explicit column list.
const scratchInsert = `INSERT INTO {table} (time, scheduled_ms, started_ms, result_id, check_id, component_id,
	agent_id, region, check_version, duration_us, dns_us, connect_us, tls_us, first_byte_us, transfer_us,
	success, status_code, error_class, message, kafka_partition, kafka_offset,
	rcode, packet_loss, rtt_min_us, rtt_avg_us, rtt_max_us, cert_expiry_ms, cert_days_left, degraded)`

// insertOnly inserts rows into a fresh scratch table in batches of
// batchRows through the batch API, one batch after another on one
// connection, and returns how long the inserts took. The table is dropped
// afterwards.
func insertOnly(ctx context.Context, conn driver.Conn, database string, rows []result.Result, batchRows int) (d time.Duration, err error) {
	table := fmt.Sprintf("`%s`.bench_results_%d", database, batchRows)
	if err := conn.Exec(ctx, strings.ReplaceAll(scratchTable, "{table}", table)); err != nil {
		return 0, fmt.Errorf("create scratch table: %w", err)
	}
	defer func() {
		if derr := conn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table); derr != nil && err == nil {
			err = fmt.Errorf("drop scratch table: %w", derr)
		}
	}()
	insert := strings.ReplaceAll(scratchInsert, "{table}", table)
	start := time.Now()
	for i := 0; i < len(rows); i += batchRows {
		if err := insertBatch(ctx, conn, insert, rows[i:min(i+batchRows, len(rows))]); err != nil {
			return 0, err
		}
	}
	d = time.Since(start)
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count scratch rows: %w", err)
	}
	if n != uint64(len(rows)) {
		return 0, fmt.Errorf("scratch table holds %d rows after inserting %d", n, len(rows))
	}
	return d, nil
}

// insertBatch appends rows as chstore does and sends them as one block.
func insertBatch(ctx context.Context, conn driver.Conn, insert string, rows []result.Result) error {
	batch, err := conn.PrepareBatch(ctx, insert)
	if err != nil {
		return fmt.Errorf("prepare batch: %w", err)
	}
	for _, r := range rows {
		var success uint8
		if r.Success {
			success = 1
		}
		if err := batch.Append(r.Started.Truncate(time.Second), r.Scheduled.UnixMilli(), r.Started.UnixMilli(), r.ID,
			r.CheckID, r.ComponentID, r.AgentID, r.Region, r.CheckVersion, r.Duration.Microseconds(),
			r.Phases.DNS.Microseconds(), r.Phases.Connect.Microseconds(), r.Phases.TLS.Microseconds(),
			r.Phases.FirstByte.Microseconds(), r.Phases.Transfer.Microseconds(), success, int32(r.StatusCode),
			string(r.ErrorClass), r.Message, int32(r.Partition), r.Offset, r.RCode, r.PacketLoss,
			r.RTTMin.Microseconds(), r.RTTAvg.Microseconds(), r.RTTMax.Microseconds(), certMS(r.CertExpiry),
			int32(r.CertDaysLeft), boolByte(r.Degraded)); err != nil {
			if aerr := batch.Abort(); aerr != nil {
				err = errors.Join(err, fmt.Errorf("abort batch: %w", aerr))
			}
			return fmt.Errorf("append result %s: %w", r.ID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d rows: %w", len(rows), err)
	}
	return nil
}

// certMS is a certificate expiry as chstore stores it: Unix ms, 0 for none.
func certMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
