package benchproc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeStatusd writes an executable script that prints its arguments and
// then runs body.
func fakeStatusd(t *testing.T, body string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "statusd")
	script := "#!/bin/sh\necho \"args: $*\"\n" + body + "\n"
	if err := os.WriteFile(bin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestProcess(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantExited string // "": still running until Stop
		args       []string
	}{
		{name: "runs until stopped", body: "exec sleep 60"},
		{name: "more arguments", body: "exec sleep 60", args: []string{"--data-dir", "/tmp/d"}},
		{name: "exits by itself", body: "exit 3", wantExited: "agent exited: exit status 3"},
		{name: "exits with status 0", body: "exit 0", wantExited: "agent exited with status 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "agent.log")
			p, err := Start(Options{Bin: fakeStatusd(t, tc.body), Subcommand: "agent", Config: "c.yaml", Args: tc.args, LogPath: logPath})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if p.LogPath() != logPath || p.Pid() <= 0 || p.Started().IsZero() {
				t.Errorf("LogPath %q, Pid %d, Started %v", p.LogPath(), p.Pid(), p.Started())
			}
			if tc.wantExited != "" {
				<-p.done
			} else {
				// Let the child write its line before it is stopped.
				for deadline := time.Now().Add(5 * time.Second); p.Tail(1) == "" && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
			}
			exited, err := p.Exited()
			switch {
			case tc.wantExited == "" && exited:
				t.Fatalf("Exited = true, %v; want it running", err)
			case tc.wantExited != "" && (!exited || err == nil || err.Error() != tc.wantExited):
				t.Fatalf("Exited = %v, %v; want true, %q", exited, err, tc.wantExited)
			}
			if tc.wantExited == "" {
				if _, err := p.CPUSeconds(); err != nil {
					t.Errorf("CPUSeconds: %v", err)
				}
			}
			start := time.Now()
			cpu, err := p.Stop()
			if err != nil || cpu < 0 || time.Since(start) >= StopTimeout {
				t.Errorf("Stop = %v, %v after %s; want no error before StopTimeout", cpu, err, time.Since(start))
			}
			if cpu2, err2 := p.Stop(); cpu2 != cpu || err2 != err {
				t.Errorf("second Stop = %v, %v; want the first answer %v, %v", cpu2, err2, cpu, err)
			}
			if got, want := p.Tail(1), strings.TrimSpace("args: agent --config c.yaml "+strings.Join(tc.args, " ")); got != want {
				t.Errorf("Tail(1) = %q", got)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"log not creatable", Options{Bin: "/bin/true", Subcommand: "agent", LogPath: filepath.Join(dir, "no", "x.log")}, "create agent log"},
		{"binary missing", Options{Bin: filepath.Join(dir, "nope"), Subcommand: "aggregator", LogPath: filepath.Join(dir, "a.log")}, "start " + filepath.Join(dir, "nope") + " aggregator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Start(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Start error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestFreeAddrAndRevision(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil || !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Errorf("FreeAddr = %q, %v; want a loopback address with a port", addr, err)
	}
	if rev := BinaryRevision(filepath.Join(t.TempDir(), "missing")); rev != "" {
		t.Errorf("BinaryRevision of a missing file = %q, want \"\"", rev)
	}
}
