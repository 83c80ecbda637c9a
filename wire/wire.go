// Package wire owns the encoding of the messages statusd sends over Kafka:
// check definitions on the checks topic and probe results on the results
// topic. Messages are JSON objects with a schema version "v", so a stock
// Kafka CLI such as kcat shows them as they are. See docs/wire.md.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Version is the schema version this build writes and reads.
const Version = 1

// Kind classifies why a message could not be decoded, for metrics and logs.
type Kind string

// The kinds of malformed messages.
const (
	KindSyntax  Kind = "syntax"  // not a JSON object
	KindVersion Kind = "version" // a schema version this build cannot read
	KindField   Kind = "field"   // a required field is missing or out of range
)

// DecodeError is returned for a message that cannot be decoded.
type DecodeError struct {
	Kind Kind
	Err  error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("decode %s message: %v", e.Kind, e.Err) }

func (e *DecodeError) Unwrap() error { return e.Err }

// KindOf returns the kind of a decode error, or "" for any other error.
func KindOf(err error) Kind {
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Kind
	}
	return ""
}

func fieldErr(format string, args ...any) error {
	return &DecodeError{Kind: KindField, Err: fmt.Errorf(format, args...)}
}

// unmarshal decodes data into v after checking the schema version.
func unmarshal(data []byte, v any) error {
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
