package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gopkg.in/yaml.v3"
)

// The limits of a configuration file. They bound what reading and
// checking a file costs whatever it holds: `statusd validate /dev/zero`
// stops after MaxFileSize bytes, a file of more than MaxNodes nodes is
// refused before it is parsed (see nodecount.go), and a file nested
// deeper than MaxDepth before anything walks or decodes its tree.
const (
	// MaxFileSize is the size of the largest file read, 4 MiB: about
	// twenty thousand components with a check each, though MaxNodes
	// stops a file at about thirteen thousand.
	MaxFileSize = 4 << 20
	// MaxDepth is how deeply mappings and lists may nest, the top-level
	// mapping counting as one. A check's header_matches sit at depth 12
	// on a page without groups; each level of groups adds two.
	MaxDepth = 64
)

// readFile reads the file at path, at most MaxFileSize bytes of it; a
// regular file known to be larger is refused unread.
func readFile(path string) ([]byte, *Error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Message: "read: " + pathErr(err).Error()}
	}
	data, err := readLimited(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	switch {
	case errors.Is(err, errTooLarge):
		return nil, tooLarge(path)
	case err != nil:
		return nil, &Error{File: path, Message: "read: " + pathErr(err).Error()}
	}
	return data, nil
}

var errTooLarge = errors.New("too large")

// readLimited reads f to its end, or fails with errTooLarge past
// MaxFileSize bytes.
func readLimited(f *os.File) ([]byte, error) {
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > MaxFileSize {
		return nil, errTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err == nil && len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	return data, err
}

// pathErr strips the operation and path of a *fs.PathError, which the
// message names already.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func tooLarge(file string) *Error {
	return &Error{File: file, Message: fmt.Sprintf("the file is larger than the limit of %d MiB (%d bytes)",
		MaxFileSize>>20, MaxFileSize)}
}

// tooDeep returns the error about the first node of doc nested deeper
// than MaxDepth, or nil. It descends no further than the limit.
func tooDeep(file string, doc *yaml.Node) *Error {
	var deep func(n *yaml.Node, depth int) *yaml.Node
	deep = func(n *yaml.Node, depth int) *yaml.Node {
		if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
			return nil
		}
		if depth > MaxDepth {
			return n
		}
		for _, c := range n.Content {
			if d := deep(c, depth+1); d != nil {
				return d
			}
		}
		return nil
	}
	for _, top := range doc.Content {
		if n := deep(top, 1); n != nil {
			return &Error{File: file, Line: n.Line, Message: fmt.Sprintf(
				"mappings and lists nest deeper than the limit of %d levels", MaxDepth)}
		}
	}
	return nil
}
