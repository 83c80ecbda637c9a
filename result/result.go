// Package result owns the probe result record: what one probe run observed,
// as the agent ships it and the aggregator stores it.
package result

import (
	"errors"
	"time"
)

// ErrorClass names why a probe failed, for grouping and alerting.
type ErrorClass string

// The error classes. An empty class means the probe succeeded.
const (
	ErrNone       ErrorClass = ""
	ErrTimeout    ErrorClass = "timeout"
	ErrRefused    ErrorClass = "refused"
	ErrDNS        ErrorClass = "dns"
	ErrTLS        ErrorClass = "tls"
	ErrHTTPStatus ErrorClass = "http_status"
	ErrAssertion  ErrorClass = "assertion"
	ErrNetwork    ErrorClass = "network"
	ErrInternal   ErrorClass = "internal"
	// ErrDNSRcode: a DNS probe got an answer whose rcode was not expected.
	ErrDNSRcode ErrorClass = "dns_rcode"
	// ErrPacketLoss: an ICMP probe lost at least its threshold of packets.
	ErrPacketLoss ErrorClass = "packet_loss"
)

// Phases are the timings of a probe's steps; zero where a step did not run.
type Phases struct {
	DNS       time.Duration
	Connect   time.Duration
	TLS       time.Duration
	FirstByte time.Duration
	Transfer  time.Duration
}

// Result is one probe run of one check from one region.
type Result struct {
	ID           string // unique, for de-duplication
	CheckID      string
	ComponentID  string
	AgentID      string
	Region       string
	CheckVersion int64
	Scheduled    time.Time // the tick the run belongs to
	Started      time.Time
	Duration     time.Duration
	Phases       Phases
	Success      bool
	StatusCode   int // HTTP status code; 0 where none was received
	// RCode is the DNS response code received ("NOERROR", "NXDOMAIN", …);
	// empty where no DNS answer was received.
	RCode string
	// PacketLoss is the fraction of ICMP echo requests that got no reply,
	// 0 to 1; zero for other probes.
	PacketLoss float64
	// RTTMin, RTTAvg and RTTMax are the round-trip times of the ICMP
	// replies received; zero when none was.
	RTTMin, RTTAvg, RTTMax time.Duration
	// CertExpiry is the earliest NotAfter of the certificates the server
	// presented (of the verified chain when verified); zero where no
	// certificate was seen.
	CertExpiry time.Time
	// CertDaysLeft is the number of whole days from Started to CertExpiry,
	// negative once expired; meaningful only when CertExpiry is set.
	CertDaysLeft int
	// Degraded marks a successful run that observed something the check
	// treats as degraded performance, such as a certificate expiring in
	// fewer days than its threshold.
	Degraded   bool
	ErrorClass ErrorClass
	Message    string
	// Partition and Offset are where the aggregator read the result in its
	// source (a results-topic partition and offset); zero elsewhere. They
	// make storing exactly once possible without a look-up per batch.
	Partition int
	Offset    int64
}

// ErrRejected marks a store's error as permanent for the results written:
// the store will never accept them as they are, so retrying is useless.
var ErrRejected = errors.New("rejected by the store")
