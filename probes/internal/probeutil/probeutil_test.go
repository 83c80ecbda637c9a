package probeutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statusd/statusd/result"
)

func TestShorten(t *testing.T) {
	long := strings.Repeat("é", MaxMessage) // 2 bytes a rune
	tests := []struct {
		name, in string
		wantLen  int
	}{
		{"short", "ok", 2},
		{"exact", strings.Repeat("x", MaxMessage), MaxMessage},
		{"cut on a rune boundary", long, MaxMessage + len("…")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Shorten(tc.in)
			if len(got) != tc.wantLen || !strings.HasPrefix(tc.in, strings.TrimSuffix(got, "…")) {
				t.Errorf("Shorten: %d bytes %q, want %d bytes and a prefix", len(got), got, tc.wantLen)
			}
		})
	}
}

func TestValidPort(t *testing.T) {
	for port, want := range map[string]bool{"1": true, "65535": true, "0": false, "65536": false, "": false, "-1": false,
		"08080": true, "123456": false, "http": false, "1e3": false} {
		if got := ValidPort(port); got != want {
			t.Errorf("ValidPort(%q) = %v, want %v", port, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	bg := context.Background()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		class    result.ErrorClass
		contains string
	}{
		{"deadline", expired, errors.New("anything"), result.ErrTimeout, "timeout after 1s during connect"},
		{"os deadline", bg, fmt.Errorf("read: %w", os.ErrDeadlineExceeded), result.ErrTimeout, "during connect"},
		{"canceled", canceled, context.Canceled, result.ErrInternal, "canceled"},
		{"dns", bg, &net.DNSError{Name: "x.invalid", Err: "no such host"}, result.ErrDNS, "x.invalid: no such host"},
		{"refused", bg, refused, result.ErrRefused, "connect: connection refused"},
		{"reset", bg, &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, result.ErrNetwork, "connection reset"},
		{"eof", bg, fmt.Errorf("read: %w", errors.Join(errors.New("x"), ioEOF())), result.ErrNetwork, "closed by peer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			class, msg := Classify(tc.ctx, tc.err, time.Second, "connect")
			if class != tc.class || !strings.Contains(msg, tc.contains) {
				t.Errorf("Classify = %q %q, want %q containing %q", class, msg, tc.class, tc.contains)
			}
		})
	}
}

func ioEOF() error { _, err := strings.NewReader("").Read(make([]byte, 1)); return err }

func TestResolve(t *testing.T) {
	tests := []struct {
		host    string
		family  int
		want    string
		wantErr bool
	}{
		{"127.0.0.1", 0, "127.0.0.1", false},
		{"::1", 6, "::1", false},
		{"::1", 4, "", true},
		{"127.0.0.1", 6, "", true},
		{"localhost", 4, "127.0.0.1", false},
		{"no-such-host.invalid", 0, "", true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.host, "/", tc.family), func(t *testing.T) {
			ip, err := Resolve(context.Background(), net.DefaultResolver, tc.host, tc.family)
			if (err != nil) != tc.wantErr || err == nil && ip.String() != tc.want {
				t.Errorf("Resolve = %v, %v; want %s (error %v)", ip, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestRun(t *testing.T) {
	var gotTimeout time.Duration
	var deadline bool
	r := Run(context.Background(), 0, 3*time.Second, func(ctx context.Context, timeout time.Duration) result.Result {
		gotTimeout = timeout
		_, deadline = ctx.Deadline()
		time.Sleep(2 * time.Millisecond)
		return result.Result{Message: strings.Repeat("x", 10_000)}
	})
	if gotTimeout != 3*time.Second || !deadline {
		t.Errorf("probe ran with timeout %s, deadline %v; want the default 3s and a deadline", gotTimeout, deadline)
	}
	if r.Started.IsZero() || r.Duration < 2*time.Millisecond || len(r.Message) >= 10_000 {
		t.Errorf("result stamped Started %v, Duration %s, message of %d bytes; want set, ≥ 2ms, shortened",
			r.Started, r.Duration, len(r.Message))
	}
}
