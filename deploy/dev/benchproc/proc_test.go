package benchproc

import (
	"os"
	"strings"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    float64
		wantErr bool
	}{
		{"plain", "4242 (statusd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 9 0 1000 0", 3.8, false},
		{"name with spaces and parentheses", "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0", 0.03, false},
		{"name with a space", "4242 (stat us) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 8 0 100 0 0", 3, false},
		{"no command name", "4242 statusd S 1", 0, true},
		{"no parenthesis", "4242 no parenthesis", 0, true},
		{"cut short", "4242 (statusd) S 1 4242", 0, true},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s 0 0 20 0 1 0 5 0", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat(tc.line)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseProcStat error = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("parseProcStat = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := ProcCPUSeconds(os.Getpid()); err != nil {
		t.Errorf("CPU time of this process: %v", err)
	}
}

func TestParseVmHWM(t *testing.T) {
	cases := []struct {
		name, in string
		want     float64
		err      string
	}{
		{name: "present", in: "Name:\tstatusd\nVmPeak:\t 1 kB\nVmHWM:\t   51200 kB\nVmRSS:\t 1 kB\n", want: 50},
		{name: "missing", in: "Name:\tstatusd\n", err: "no VmHWM line"},
		{name: "bad unit", in: "VmHWM:\t 12 MB\n", err: "want"},
		{name: "not a number", in: "VmHWM:\t x kB\n", err: "parse VmHWM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseVmHWM(strings.NewReader(tc.in))
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one containing %q", err, tc.err)
			case tc.err == "" && (err != nil || got != tc.want):
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if mb, err := ProcPeakRSSMB(os.Getpid()); err != nil || mb <= 0 {
		t.Errorf("peak RSS of this process = %v, %v; want a positive size", mb, err)
	}
}
