package agent

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/statusd/statusd/catalog"
	"github.com/statusd/statusd/probes/httpprobe"
	"github.com/statusd/statusd/result"
)

// expiry is a certificate expiry the collector cases use.
var expiry = time.Unix(1_800_000_000, 0)

func TestCheckCollectorSeries(t *testing.T) {
	cases := []struct {
		name string
		obs  observation
		want string // exposition of the series present, in full
	}{
		{
			name: "http with certificate",
			obs: observation{checkID: "a", componentID: "c", typ: catalog.TypeHTTP, success: true, degraded: true,
				duration: 250 * time.Millisecond, statusCode: 200, certExpiry: expiry,
				phases: result.Phases{DNS: 10 * time.Millisecond, Connect: 20 * time.Millisecond, TLS: 30 * time.Millisecond,
					FirstByte: 40 * time.Millisecond, Transfer: 50 * time.Millisecond}},
			want: `
probe_success{check_id="a",component_id="c"} 1
probe_duration_seconds{check_id="a",component_id="c"} 0.25
probe_dns_lookup_time_seconds{check_id="a",component_id="c"} 0.01
statusd_agent_check_degraded{check_id="a",component_id="c"} 1
probe_ssl_earliest_cert_expiry{check_id="a",component_id="c"} 1.8e+09
probe_http_status_code{check_id="a",component_id="c"} 200
probe_http_duration_seconds{check_id="a",component_id="c",phase="resolve"} 0.01
probe_http_duration_seconds{check_id="a",component_id="c",phase="connect"} 0.02
probe_http_duration_seconds{check_id="a",component_id="c",phase="tls"} 0.03
probe_http_duration_seconds{check_id="a",component_id="c",phase="processing"} 0.04
probe_http_duration_seconds{check_id="a",component_id="c",phase="transfer"} 0.05
`,
		},
		{
			name: "icmp with loss",
			obs: observation{checkID: "p", componentID: "c", typ: catalog.TypeICMP, duration: time.Second,
				packetLoss: 0.5, rttMin: time.Millisecond, rttAvg: 2 * time.Millisecond, rttMax: 3 * time.Millisecond},
			want: `
probe_success{check_id="p",component_id="c"} 0
probe_duration_seconds{check_id="p",component_id="c"} 1
probe_dns_lookup_time_seconds{check_id="p",component_id="c"} 0
statusd_agent_check_degraded{check_id="p",component_id="c"} 0
probe_icmp_duration_seconds{check_id="p",component_id="c",phase="resolve"} 0
probe_icmp_duration_seconds{check_id="p",component_id="c",phase="rtt"} 0.002
probe_icmp_rtt_min_seconds{check_id="p",component_id="c"} 0.001
probe_icmp_rtt_max_seconds{check_id="p",component_id="c"} 0.003
probe_icmp_packet_loss_ratio{check_id="p",component_id="c"} 0.5
`,
		},
		{
			name: "dns answered",
			obs:  observation{checkID: "d", componentID: "c", typ: catalog.TypeDNS, success: true, duration: time.Millisecond, rcode: "NXDOMAIN"},
			want: `
probe_success{check_id="d",component_id="c"} 1
probe_duration_seconds{check_id="d",component_id="c"} 0.001
probe_dns_lookup_time_seconds{check_id="d",component_id="c"} 0
statusd_agent_check_degraded{check_id="d",component_id="c"} 0
probe_dns_query_succeeded{check_id="d",component_id="c"} 1
probe_dns_rcode_info{check_id="d",component_id="c",rcode="NXDOMAIN"} 1
`,
		},
		{
			name: "dns without answer",
			obs:  observation{checkID: "d", componentID: "c", typ: catalog.TypeDNS, duration: time.Second},
			want: `
probe_success{check_id="d",component_id="c"} 0
probe_duration_seconds{check_id="d",component_id="c"} 1
probe_dns_lookup_time_seconds{check_id="d",component_id="c"} 0
statusd_agent_check_degraded{check_id="d",component_id="c"} 0
probe_dns_query_succeeded{check_id="d",component_id="c"} 0
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			if err := reg.Register(newCheckCollector(func() []observation { return []observation{tc.obs} })); err != nil {
				t.Fatal(err)
			}
			got := sampleLines(t, reg)
			want := strings.Fields(strings.TrimSpace(tc.want))
			if strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(pairs(want)), "\n") {
				t.Errorf("series:\n%s\nwant:\n%s", strings.Join(sortedCopy(got), "\n"), strings.Join(sortedCopy(pairs(want)), "\n"))
			}
		})
	}
}

// pairs joins the fields of "name{labels} value" lines back into lines.
func pairs(fields []string) []string {
	var out []string
	for i := 0; i+1 < len(fields); i += 2 {
		out = append(out, fields[i]+" "+fields[i+1])
	}
	return out
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// sampleLines returns the samples g exposes, one "name{labels} value" each,
// without HELP and TYPE lines.
func sampleLines(t *testing.T, g prometheus.Gatherer) []string {
	t.Helper()
	body := scrape(t, g)
	var out []string
	for line := range strings.SplitSeq(string(body), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// scrape serves g with promhttp on a port-0 listener and GETs /metrics.
func scrape(t *testing.T, g prometheus.Gatherer) []byte {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}),
		ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close metrics server: %v", err)
		}
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s: %s", resp.Status, body)
	}
	return body
}

// promtool returns the path of promtool or fails the test saying how to get it.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not on PATH: run `make services` (it installs Debian's prometheus package, which ships promtool)")
	}
	return path
}

// TestMetricsPassPromtool runs real HTTP(S) probes through an agent, scrapes
// its registry over HTTP and lints the exposition with promtool check
// metrics, which must report nothing. ICMP, DNS and certificate series are
// added from a collector of their own: the agent cannot schedule ICMP and
// DNS checks yet, and the HTTP prober does not yet fill CertExpiry.
func TestMetricsPassPromtool(t *testing.T) {
	tool := promtool(t)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer secure.Close()
	prober, err := httpprobe.New(httpprobe.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, false, func(o *Options) {
		o.Probers = map[catalog.Type]Prober{catalog.TypeHTTP: prober}
	})
	up, tls := httpCheck("up", iv), httpCheck("tls", iv)
	up.HTTP.URL = plain.URL
	tls.HTTP.URL, tls.HTTP.InsecureSkipVerify = secure.URL, true
	h.feed.send(t, up, tls)
	h.clock.Set(epoch.Add(iv - 1))
	h.nextResult(t)
	h.nextResult(t)
	if v, ok := series(t, h.reg, "probe_success", "check_id", "up"); !ok || v != 1 {
		t.Fatalf("probe_success{check_id=up} = %v (present %v), want 1", v, ok)
	}
	if v, _ := series(t, h.reg, "probe_http_duration_seconds", "check_id", "tls", "phase", "tls"); v <= 0 {
		t.Fatalf("probe_http_duration_seconds{check_id=tls,phase=tls} = %v, want > 0", v)
	}

	others := prometheus.NewRegistry()
	if err := others.Register(newCheckCollector(func() []observation {
		return []observation{
			{checkID: "ping", componentID: "c", typ: catalog.TypeICMP, success: true, rttAvg: time.Millisecond},
			{checkID: "dns", componentID: "c", typ: catalog.TypeDNS, success: true, rcode: "NOERROR"},
			{checkID: "cert", componentID: "c", typ: catalog.TypeHTTP, success: true, certExpiry: expiry},
		}
	})); err != nil {
		t.Fatal(err)
	}
	body := scrape(t, prometheus.Gatherers{h.reg, others})
	for _, name := range []string{"probe_http_duration_seconds", "statusd_agent_queue_depth", "probe_icmp_duration_seconds", "probe_dns_rcode_info", "probe_ssl_earliest_cert_expiry"} {
		if !bytes.Contains(body, []byte("\n"+name+"{")) {
			t.Errorf("scrape has no %s series", name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		t.Errorf("promtool check metrics exited %d:\n%s", exit.ExitCode(), out)
	case err != nil:
		t.Fatalf("run promtool: %v", err)
	case len(bytes.TrimSpace(out)) > 0:
		t.Errorf("promtool check metrics reported:\n%s", out)
	}
}

func TestQueueDepthCountsWaitingRuns(t *testing.T) {
	h := start(t, true, nil) // one worker, gated: the first run holds it
	h.feed.send(t, httpCheck("a", iv), httpCheck("b", iv), httpCheck("c", iv))
	h.clock.Set(epoch.Add(iv - 1))
	h.nextStarted(t)
	eventually(t, "two runs queued", func() bool {
		v, _ := series(t, h.reg, "statusd_agent_queue_depth", "type", "http")
		return v == 2
	})
	if n := testutil.CollectAndCount(h.reg, "statusd_agent_queue_depth"); n != 1 {
		t.Errorf("%d statusd_agent_queue_depth series, want 1 (one probe type)", n)
	}
}
