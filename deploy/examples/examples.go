// Package examples holds the example configurations, built into the binary
// so that `statusd standalone` runs without any file at hand.
package examples

import _ "embed"

// Standalone is deploy/examples/standalone.yaml, what `make run` starts.
//
//go:embed standalone.yaml
var Standalone []byte
