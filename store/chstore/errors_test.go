package chstore

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/statusd/statusd/result"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		append   bool
		rejected bool
	}{
		{"type mismatch", &clickhouse.Exception{Code: 53, Message: "Type mismatch"}, false, true},
		{"wrapped syntax error", fmt.Errorf("send: %w", &clickhouse.Exception{Code: 62}), false, true},
		{"too many parts", &clickhouse.Exception{Code: 252, Message: "Too many parts"}, false, false},
		{"memory limit", &clickhouse.Exception{Code: 241}, false, false},
		{"connection lost", io.ErrUnexpectedEOF, false, false},
		{"a value the client refuses", errors.New("converting string to Int64"), true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := classify(tc.err, tc.append)
			if got := errors.Is(err, result.ErrRejected); got != tc.rejected {
				t.Errorf("classify(%v) rejected = %v, want %v", tc.err, got, tc.rejected)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("classify(%v) = %v lost the cause", tc.err, err)
			}
		})
	}
}
