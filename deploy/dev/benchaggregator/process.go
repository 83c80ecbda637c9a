package main

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// stopTimeout is how long the aggregator may take to stop after SIGTERM
// before it is killed.
const stopTimeout = 20 * time.Second

// buildStatusd builds the statusd binary of the module in dir.
func buildStatusd(ctx context.Context, moduleDir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/statusd")
	cmd.Dir = moduleDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/statusd: %w\n%s", err, b)
	}
	return nil
}

// binaryRevision is the VCS revision the binary was built from, with
// "+dirty" if the tree had changes; "" when the binary does not say (built
// with -buildvcs=false).
func binaryRevision(path string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return ""
	}
	return rev[:min(12, len(rev))] + dirty
}

// treeRevision is the git revision of the module in dir, with "+dirty" if
// the tree has changes; "" when git cannot tell.
func treeRevision(ctx context.Context, dir string) string {
	rev, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	out := strings.TrimSpace(string(rev))
	if st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain").Output(); err == nil && len(st) > 0 {
		out += "+dirty"
	}
	return out
}

// freeAddr returns a loopback address whose port was free just now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}

// process is the `statusd aggregator` OS process under test.
type process struct {
	cmd     *exec.Cmd
	logPath string
	log     *os.File
	started time.Time
	done    chan struct{}
	waitErr error

	stopOnce sync.Once
	stopCPU  float64
	stopErr  error
}

// startAggregator starts `statusd aggregator --config cfg` with its output
// in logPath. It runs in its own process group, so an interrupt reaches it
// only through stop, and dies with the benchmark (Pdeathsig).
func startAggregator(bin, cfg, logPath string, env []string) (*process, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create aggregator log: %w", err)
	}
	cmd := exec.Command(bin, "aggregator", "--config", cfg)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &process{cmd: cmd, logPath: logPath, log: f, done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start %s aggregator: %w", bin, err), f.Close())
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		if p.waitErr != nil {
			return true, fmt.Errorf("aggregator exited: %w", p.waitErr)
		}
		return true, errors.New("aggregator exited with status 0")
	default:
		return false, nil
	}
}

// cpuSeconds is the user and system CPU time of the running process, from
// /proc/<pid>/stat.
func (p *process) cpuSeconds() (float64, error) {
	return procCPUSeconds(p.cmd.Process.Pid)
}

func procCPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	return parseProcStat(string(b))
}

// parseProcStat returns utime+stime in seconds from a /proc/<pid>/stat
// line. The command name (field 2) is in parentheses and may hold spaces,
// so fields are counted after its closing parenthesis.
func parseProcStat(line string) (float64, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, errors.New("parse /proc stat: no ')' after the command name")
	}
	f := strings.Fields(line[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("parse /proc stat: %d fields after the command name, want at least 13", len(f))
	}
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("parse /proc stat utime and stime: %w", err)
	}
	return float64(utime+stime) / clockTicks, nil
}

// stop sends SIGTERM and waits; after stopTimeout it kills the process. It
// returns the total CPU seconds the process used, from its exit status.
// Only the first call acts; later ones return its answer.
func (p *process) stop() (cpu float64, err error) {
	p.stopOnce.Do(func() { p.stopCPU, p.stopErr = p.terminate() })
	return p.stopCPU, p.stopErr
}

func (p *process) terminate() (cpu float64, err error) {
	select {
	case <-p.done:
	default:
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return 0, fmt.Errorf("signal aggregator: %w", err)
		}
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			err = fmt.Errorf("aggregator did not stop within %s of SIGTERM; killed it", stopTimeout)
			if kerr := p.cmd.Process.Kill(); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
				err = errors.Join(err, fmt.Errorf("kill aggregator: %w", kerr))
			}
			<-p.done
		}
	}
	if cerr := p.log.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close aggregator log: %w", cerr))
	}
	st := p.cmd.ProcessState
	return (st.UserTime() + st.SystemTime()).Seconds(), err
}

// tail returns the last n lines of the aggregator's output.
func (p *process) tail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(aggregator log unreadable: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// lastError returns the last error line of the aggregator's output (text
// log format), shortened; "" if there is none.
func (p *process) lastError() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "level=ERROR") {
			if l := lines[i]; len(l) > 400 {
				return l[:400] + "…"
			}
			return lines[i]
		}
	}
	return ""
}

// httpGet returns the body of a 200 answer.
func httpGet(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	body, err := io.ReadAll(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return body, nil
}

// parseMetrics returns the samples of the Prometheus text exposition whose
// names start with prefix, keyed by name and labels as exposed; histogram
// buckets are left out (their _sum and _count stay).
func parseMetrics(text, prefix string) map[string]float64 {
	out := map[string]float64{}
	for line := range strings.SplitSeq(text, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		key := line[:i]
		name, _, _ := strings.Cut(key, "{")
		if strings.HasSuffix(name, "_bucket") {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[key] = v
	}
	return out
}
