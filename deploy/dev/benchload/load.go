package benchload

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Options describe one load run.
type Options struct {
	// URL is requested with GET: http only, the host is dialled.
	URL string
	// Host is sent as the Host header; "" means the URL's.
	Host string
	// Headers are more request header lines, e.g. "Accept-Encoding: gzip".
	Headers []string
	// Concurrency is the number of connections, each with one request in
	// flight. Duration is how long they send.
	Concurrency int
	Duration    time.Duration
}

// Result is what a run measured.
type Result struct {
	Requests int64         // answered and counted
	Errors   int64         // answers other than 200, and failed requests
	Bytes    int64         // body bytes of the 200s
	Elapsed  time.Duration // from the first connection to the last answer
	Latency  Histogram     // of every 200
	FirstErr string
}

// RPS is the answers per second.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests+r.Errors) / r.Elapsed.Seconds()
}

// Run loads o.URL until o.Duration has passed or ctx ends.
func Run(ctx context.Context, o Options) (*Result, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("url %q: must be http://host:port/path", o.URL)
	}
	if o.Concurrency < 1 || o.Duration <= 0 {
		return nil, errors.New("concurrency and duration must be positive")
	}
	host := o.Host
	if host == "" {
		host = u.Host
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: statusd-benchload\r\n", u.RequestURI(), host)
	for _, h := range o.Headers {
		req.WriteString(h + "\r\n")
	}
	req.WriteString("\r\n")
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	results := make([]*Result, o.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range o.Concurrency {
		wg.Go(func() { results[i] = worker(ctx, u.Host, req.Bytes()) })
	}
	wg.Wait()
	total := &Result{Elapsed: time.Since(start)}
	for _, r := range results {
		total.Requests += r.Requests
		total.Errors += r.Errors
		total.Bytes += r.Bytes
		total.Latency.Merge(&r.Latency)
		if total.FirstErr == "" {
			total.FirstErr = r.FirstErr
		}
	}
	return total, nil
}

// worker sends req on one keep-alive connection, dialling again after a
// failure, until ctx ends; an answer cut by the end is not counted.
func worker(ctx context.Context, addr string, req []byte) *Result {
	r := &Result{}
	var c *conn
	defer func() {
		if c != nil {
			_ = c.Close() // the run is over: nothing to report
		}
	}()
	fail := func(err error) {
		r.Errors++
		if r.FirstErr == "" {
			r.FirstErr = err.Error()
		}
	}
	for ctx.Err() == nil {
		if c == nil {
			var err error
			if c, err = dial(ctx, addr); err != nil {
				if ctx.Err() == nil {
					fail(err)
				}
				continue
			}
		}
		t0 := time.Now()
		code, n, err := c.roundTrip(req, time.Now().Add(10*time.Second))
		took := time.Since(t0)
		if ctx.Err() != nil {
			break
		}
		switch {
		case err != nil:
			fail(err)
			_ = c.Close() // broken: dial again
			c = nil
		case code != 200:
			fail(fmt.Errorf("status %d", code))
		default:
			r.Requests++
			r.Bytes += n
			r.Latency.Add(took)
		}
	}
	return r
}

// conn is one keep-alive HTTP/1.1 connection.
type conn struct {
	net.Conn
	br *bufio.Reader
}

func dial(ctx context.Context, addr string) (*conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return &conn{Conn: c, br: bufio.NewReaderSize(c, 64<<10)}, nil
}

// roundTrip writes req and reads one answer, which must carry a
// Content-Length; it returns the status and the body's length.
func (c *conn) roundTrip(req []byte, deadline time.Time) (int, int64, error) {
	if err := c.SetDeadline(deadline); err != nil {
		return 0, 0, fmt.Errorf("set deadline: %w", err)
	}
	if _, err := c.Write(req); err != nil {
		return 0, 0, fmt.Errorf("write request: %w", err)
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, 0, fmt.Errorf("read status line: %w", err)
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	length := int64(-1)
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, 0, fmt.Errorf("read header: %w", err)
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if ok && bytes.EqualFold(name, []byte("Content-Length")) {
			if length, err = strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64); err != nil {
				return 0, 0, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	if code == 304 || code == 204 {
		return code, 0, nil
	}
	if length < 0 {
		return 0, 0, errors.New("answer without Content-Length")
	}
	n, err := io.CopyN(io.Discard, c.br, length)
	if err != nil {
		return 0, 0, fmt.Errorf("read body: %w", err)
	}
	return code, n, nil
}
