package benchproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// StopTimeout is how long the process may take to stop after SIGTERM
// before it is killed.
const StopTimeout = 20 * time.Second

// Options say which statusd subcommand to start and where its output goes.
type Options struct {
	Bin        string   // the statusd binary
	Subcommand string   // e.g. "agent"; also names the process in errors
	Config     string   // passed as --config
	Args       []string // more arguments, after --config
	LogPath    string   // created; receives stdout and stderr
	Env        []string // the process's environment; nil: this process's
}

// Process is a running `statusd <subcommand>` OS process under test.
type Process struct {
	name    string
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

// Start starts `<Bin> <Subcommand> --config <Config> <Args...>` with its output in
// LogPath. It runs in its own process group, so an interrupt reaches it
// only through Stop, and dies with the benchmark (Pdeathsig).
func Start(o Options) (*Process, error) {
	f, err := os.Create(o.LogPath)
	if err != nil {
		return nil, fmt.Errorf("create %s log: %w", o.Subcommand, err)
	}
	cmd := exec.Command(o.Bin, append([]string{o.Subcommand, "--config", o.Config}, o.Args...)...)
	cmd.Env, cmd.Stdout, cmd.Stderr = o.Env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &Process{name: o.Subcommand, cmd: cmd, logPath: o.LogPath, log: f, done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start %s %s: %w", o.Bin, o.Subcommand, err), f.Close())
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Started is when the process was started.
func (p *Process) Started() time.Time { return p.started }

// LogPath is the file that holds the process's output.
func (p *Process) LogPath() string { return p.logPath }

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		if p.waitErr != nil {
			return true, fmt.Errorf("%s exited: %w", p.name, p.waitErr)
		}
		return true, fmt.Errorf("%s exited with status 0", p.name)
	default:
		return false, nil
	}
}

// CPUSeconds is the user and system CPU time of the running process, from
// /proc/<pid>/stat.
func (p *Process) CPUSeconds() (float64, error) {
	return ProcCPUSeconds(p.Pid())
}

// Stop sends SIGTERM and waits; after StopTimeout it kills the process. It
// returns the total CPU seconds the process used, from its exit status.
// Only the first call acts; later ones return its answer.
func (p *Process) Stop() (cpu float64, err error) {
	p.stopOnce.Do(func() { p.stopCPU, p.stopErr = p.terminate() })
	return p.stopCPU, p.stopErr
}

func (p *Process) terminate() (cpu float64, err error) {
	select {
	case <-p.done:
	default:
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return 0, fmt.Errorf("signal %s: %w", p.name, err)
		}
		select {
		case <-p.done:
		case <-time.After(StopTimeout):
			err = fmt.Errorf("%s did not stop within %s of SIGTERM; killed it", p.name, StopTimeout)
			if kerr := p.cmd.Process.Kill(); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
				err = errors.Join(err, fmt.Errorf("kill %s: %w", p.name, kerr))
			}
			<-p.done
		}
	}
	if cerr := p.log.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close %s log: %w", p.name, cerr))
	}
	st := p.cmd.ProcessState
	return (st.UserTime() + st.SystemTime()).Seconds(), err
}

// Tail returns the last n lines of the process's output.
func (p *Process) Tail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(" + p.name + " log unreadable: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
