package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/statusd/statusd/result"
)

// The oracle is the results codec as it was before the hand-written one:
// encoding/json into a struct, twice (version head, then body), plus the
// same validation. The differential tests hold the new codec to it.

type oracleResultMsg struct {
	V            int    `json:"v"`
	ID           string `json:"id"`
	CheckID      string `json:"check_id"`
	ComponentID  string `json:"component_id"`
	AgentID      string `json:"agent_id"`
	Region       string `json:"region"`
	CheckVersion int64  `json:"check_version"`
	ScheduledMS  int64  `json:"scheduled_ms"`
	StartedMS    int64  `json:"started_ms"`
	DurationUS   int64  `json:"duration_us"`
	Phases       struct {
		DNS       int64 `json:"dns,omitempty"`
		Connect   int64 `json:"connect,omitempty"`
		TLS       int64 `json:"tls,omitempty"`
		FirstByte int64 `json:"first_byte,omitempty"`
		Transfer  int64 `json:"transfer,omitempty"`
	} `json:"phases_us"`
	Success    bool   `json:"success"`
	StatusCode int    `json:"status_code,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
	Message    string `json:"message,omitempty"`

	RCode         string `json:"rcode,omitempty"`
	PacketLossPPM int64  `json:"packet_loss_ppm,omitempty"`
	RTTMinUS      int64  `json:"rtt_min_us,omitempty"`
	RTTAvgUS      int64  `json:"rtt_avg_us,omitempty"`
	RTTMaxUS      int64  `json:"rtt_max_us,omitempty"`
	CertExpiryMS  *int64 `json:"cert_expiry_ms,omitempty"`
	CertDaysLeft  int    `json:"cert_days_left,omitempty"`
	Degraded      bool   `json:"degraded,omitempty"`
}

func oracleUnmarshal(data []byte, v any) error {
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &DecodeError{Kind: KindSyntax, Err: err}
	}
	if head.V == nil {
		return &DecodeError{Kind: KindVersion, Err: errors.New(`missing schema version "v"`)}
	}
	if *head.V != Version {
		return &DecodeError{Kind: KindVersion, Err: fmt.Errorf("schema version %d, this build reads %d", *head.V, Version)}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &DecodeError{Kind: KindSyntax, Err: err}
	}
	return nil
}

func oracleEncodeResult(r result.Result) ([]byte, error) {
	m := oracleResultMsg{
		V: Version, ID: r.ID, CheckID: r.CheckID, ComponentID: r.ComponentID, AgentID: r.AgentID,
		Region: r.Region, CheckVersion: r.CheckVersion,
		ScheduledMS: r.Scheduled.UnixMilli(), StartedMS: r.Started.UnixMilli(),
		DurationUS: r.Duration.Microseconds(),
		Success:    r.Success, StatusCode: r.StatusCode, ErrorClass: string(r.ErrorClass), Message: r.Message,
	}
	m.RCode, m.PacketLossPPM = r.RCode, lossPPM(r.PacketLoss)
	m.RTTMinUS, m.RTTAvgUS, m.RTTMaxUS = r.RTTMin.Microseconds(), r.RTTAvg.Microseconds(), r.RTTMax.Microseconds()
	if !r.CertExpiry.IsZero() {
		ms := r.CertExpiry.UnixMilli()
		m.CertExpiryMS = &ms
	}
	m.CertDaysLeft, m.Degraded = r.CertDaysLeft, r.Degraded
	m.Phases.DNS = r.Phases.DNS.Microseconds()
	m.Phases.Connect = r.Phases.Connect.Microseconds()
	m.Phases.TLS = r.Phases.TLS.Microseconds()
	m.Phases.FirstByte = r.Phases.FirstByte.Microseconds()
	m.Phases.Transfer = r.Phases.Transfer.Microseconds()
	return json.Marshal(m)
}

func oracleDecodeResult(data []byte) (result.Result, error) {
	var m oracleResultMsg
	if err := oracleUnmarshal(data, &m); err != nil {
		return result.Result{}, err
	}
	switch {
	case m.ID == "":
		return result.Result{}, fieldErr("result: id is required")
	case m.CheckID == "":
		return result.Result{}, fieldErr("result %s: check_id is required", m.ID)
	case m.ComponentID == "":
		return result.Result{}, fieldErr("result %s: component_id is required", m.ID)
	case m.Region == "":
		return result.Result{}, fieldErr("result %s: region is required", m.ID)
	case m.ScheduledMS <= 0 || m.StartedMS <= 0:
		return result.Result{}, fieldErr("result %s: scheduled_ms and started_ms must be positive", m.ID)
	case m.DurationUS < 0:
		return result.Result{}, fieldErr("result %s: duration_us must not be negative", m.ID)
	case m.PacketLossPPM < 0 || m.PacketLossPPM > 1_000_000:
		return result.Result{}, fieldErr("result %s: packet_loss_ppm must be between 0 and 1000000", m.ID)
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	var certExpiry time.Time
	if m.CertExpiryMS != nil {
		certExpiry = time.UnixMilli(*m.CertExpiryMS).UTC()
	}
	return result.Result{
		ID: m.ID, CheckID: m.CheckID, ComponentID: m.ComponentID, AgentID: m.AgentID, Region: m.Region,
		CheckVersion: m.CheckVersion,
		Scheduled:    time.UnixMilli(m.ScheduledMS).UTC(), Started: time.UnixMilli(m.StartedMS).UTC(),
		Duration: us(m.DurationUS),
		Phases: result.Phases{DNS: us(m.Phases.DNS), Connect: us(m.Phases.Connect), TLS: us(m.Phases.TLS),
			FirstByte: us(m.Phases.FirstByte), Transfer: us(m.Phases.Transfer)},
		Success: m.Success, StatusCode: m.StatusCode, ErrorClass: result.ErrorClass(m.ErrorClass), Message: m.Message,
		RCode: m.RCode, PacketLoss: float64(m.PacketLossPPM) / 1_000_000,
		RTTMin: us(m.RTTMinUS), RTTAvg: us(m.RTTAvgUS), RTTMax: us(m.RTTMaxUS),
		CertExpiry: certExpiry, CertDaysLeft: m.CertDaysLeft, Degraded: m.Degraded,
	}, nil
}
