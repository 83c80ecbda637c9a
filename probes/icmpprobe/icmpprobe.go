// Package icmpprobe runs ICMP echo (ping) checks over IPv4 and IPv6.
//
// A Prober owns at most two sockets, one per family, opened once by New and
// shared by every probe: a probe sends its echo requests through the socket
// of its target's family and one reader goroutine per socket hands each
// reply to the probe that waits for it. A probe costs no socket and no
// goroutine of its own, which is what lets one agent run thousands of ICMP
// checks (see BenchmarkScale; pro-bing, which opens a socket and starts three
// goroutines per run, was measured against it).
//
// Sockets are privileged (raw ICMP, needs root or CAP_NET_RAW) or
// unprivileged (Linux "ping" datagram sockets, needs the process's group in
// net.ipv4.ping_group_range). New decides once, by trying a raw socket and
// then a ping socket, unless Options.Mode forces one, and logs the choice.
//
// A run sends Spec.Count requests Spec.Interval apart and waits for their
// replies until all came or the timeout ends. It fills PacketLoss and
// RTTMin/RTTAvg/RTTMax; Phases.DNS is the lookup of a host name.
package icmpprobe

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/statusd/statusd/probes/internal/probeutil"
	"github.com/statusd/statusd/result"
)

// Mode says which kind of ICMP socket a Prober uses.
type Mode string

// The modes.
const (
	ModeAuto         Mode = ""             // try privileged, then unprivileged
	ModePrivileged   Mode = "privileged"   // raw ICMP sockets
	ModeUnprivileged Mode = "unprivileged" // Linux ping (datagram ICMP) sockets
)

// DefaultTimeout bounds a probe whose timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options configure a Prober.
type Options struct {
	// Mode forces a socket kind; ModeAuto tries both.
	Mode Mode
	// Logger receives the mode decision and socket problems; nil discards.
	Logger *slog.Logger
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// Prober runs ICMP checks. It is safe for concurrent use; Close releases
// its sockets.
type Prober struct {
	mode     Mode
	resolver *net.Resolver
	v4, v6   *socket
	v6Err    error // why v6 is nil
}

// New opens the Prober's sockets. IPv4 is required; an IPv6 socket that
// cannot be opened is logged, and IPv6 probes then fail with class network.
func New(opts Options) (*Prober, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Mode != ModeAuto && opts.Mode != ModePrivileged && opts.Mode != ModeUnprivileged {
		return nil, fmt.Errorf("new icmp prober: Options.Mode must be privileged, unprivileged or empty (auto), got %q", opts.Mode)
	}
	p := &Prober{resolver: opts.Resolver}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	var idb [2]byte
	_, _ = rand.Read(idb[:]) // crypto/rand.Read never fails
	id := int(binary.BigEndian.Uint16(idb[:]))

	var errPriv error
	if opts.Mode != ModeUnprivileged {
		p.v4, errPriv = listen(false, true, id)
		if p.v4 != nil {
			p.mode = ModePrivileged
		} else if opts.Mode == ModePrivileged {
			return nil, fmt.Errorf("new icmp prober: privileged mode: %w", errPriv)
		}
	}
	if p.v4 == nil {
		s, err := listen(false, false, id)
		if err != nil {
			if errPriv != nil {
				return nil, fmt.Errorf("new icmp prober: privileged: %v; unprivileged (is the group in net.ipv4.ping_group_range?): %w", errPriv, err)
			}
			return nil, fmt.Errorf("new icmp prober: unprivileged mode (is the group in net.ipv4.ping_group_range?): %w", err)
		}
		p.v4, p.mode = s, ModeUnprivileged
	}
	p.v6, p.v6Err = listen(true, p.mode == ModePrivileged, id)
	attrs := []any{"mode", string(p.mode), "ipv6", p.v6 != nil}
	if errPriv != nil {
		attrs = append(attrs, "privileged_error", errPriv.Error())
	}
	log.Info("icmp prober ready", attrs...)
	if p.v6Err != nil {
		log.Warn("icmp prober: no IPv6 socket; IPv6 checks will fail", "err", p.v6Err.Error())
	}
	return p, nil
}

// Mode returns the socket kind New chose.
func (p *Prober) Mode() Mode { return p.mode }

// Close closes the sockets; probes running then fail.
func (p *Prober) Close() error {
	err := p.v4.close()
	if p.v6 != nil {
		err = errors.Join(err, p.v6.close())
	}
	if err != nil {
		return fmt.Errorf("close icmp prober: %w", err)
	}
	return nil
}

// Probe runs spec once within timeout (DefaultTimeout when zero) and ctx,
// and returns what it observed, leaving the identity fields of the result to
// the caller. Defaults are applied to a copy of spec. It never panics.
func (p *Prober) Probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	spec.ApplyDefaults()
	return probeutil.Run(ctx, timeout, DefaultTimeout, func(ctx context.Context, timeout time.Duration) result.Result {
		return p.probe(ctx, spec, timeout)
	})
}

func (p *Prober) probe(ctx context.Context, spec Spec, timeout time.Duration) result.Result {
	if errs := spec.Validate(); len(errs) > 0 {
		return probeutil.Failure(result.ErrInternal, errs[0].Error())
	}
	if span := time.Duration(spec.Count-1) * spec.Interval; span >= timeout {
		return probeutil.Failure(result.ErrInternal, fmt.Sprintf(
			"icmp.count: %d requests %s apart take %s, not less than the timeout %s", spec.Count, spec.Interval, span, timeout))
	}
	var r result.Result
	t0 := time.Now()
	ip, err := probeutil.Resolve(ctx, p.resolver, spec.Host, spec.Family)
	if net.ParseIP(spec.Host) == nil {
		r.Phases.DNS = time.Since(t0)
	}
	if err != nil {
		r.ErrorClass, r.Message = probeutil.Classify(ctx, err, timeout, "resolve")
		return r
	}
	sock := p.v4
	if ip.To4() == nil {
		if sock = p.v6; sock == nil {
			r.ErrorClass, r.Message = result.ErrNetwork, "no IPv6 ICMP socket: "+p.v6Err.Error()
			return r
		}
	}
	rtts, sendErr := ping(ctx, sock, ip, spec)
	judge(ctx, &r, spec, rtts, sendErr)
	return r
}

// ping sends spec.Count requests and collects the replies until all came or
// ctx ends. It returns the round-trip times received and the last send error.
func ping(ctx context.Context, sock *socket, ip net.IP, spec Spec) ([]time.Duration, error) {
	var tb [8]byte
	_, _ = rand.Read(tb[:]) // crypto/rand.Read never fails
	replies := make(chan reply, spec.Count)
	token := binary.BigEndian.Uint64(tb[:])
	var (
		wire    []uint16
		rtts    []time.Duration
		sendErr error
	)
	defer func() {
		for _, seq := range wire {
			sock.cancel(seq)
		}
	}()
	next := time.NewTimer(0)
	defer next.Stop()
	sent := 0
	for sent < spec.Count || len(rtts) < len(wire) {
		select {
		case <-next.C:
			seq, err := sock.send(ip, &pending{token: token, seq: sent, ch: replies})
			if err != nil {
				sendErr = err
			} else {
				wire = append(wire, seq)
			}
			if sent++; sent < spec.Count {
				next.Reset(spec.Interval)
			}
		case rep := <-replies:
			rtts = append(rtts, rep.rtt)
		case <-ctx.Done():
			return rtts, sendErr
		}
		if sent == spec.Count && len(wire) == 0 {
			break // nothing went out
		}
	}
	return rtts, sendErr
}

func judge(ctx context.Context, r *result.Result, spec Spec, rtts []time.Duration, sendErr error) {
	if errors.Is(ctx.Err(), context.Canceled) {
		r.ErrorClass, r.Message = result.ErrInternal, "probe canceled"
		return
	}
	lost := spec.Count - len(rtts)
	r.PacketLoss = float64(lost) / float64(spec.Count)
	if len(rtts) > 0 {
		r.RTTMin, r.RTTMax = rtts[0], rtts[0]
		var sum time.Duration
		for _, d := range rtts {
			r.RTTMin, r.RTTMax = min(r.RTTMin, d), max(r.RTTMax, d)
			sum += d
		}
		r.RTTAvg = sum / time.Duration(len(rtts))
	}
	switch {
	case len(rtts) == 0 && sendErr != nil:
		r.ErrorClass, r.Message = result.ErrNetwork, "send echo: "+probeutil.Inner(sendErr)
	case lost*100 >= spec.LossThresholdPercent*spec.Count:
		r.ErrorClass = result.ErrPacketLoss
		r.Message = fmt.Sprintf("%d of %d echo requests lost (threshold %d%%)", lost, spec.Count, spec.LossThresholdPercent)
	default:
		r.Success = true
	}
}
