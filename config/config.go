// Package config owns the statusd configuration file: one YAML file for
// every subcommand, decoded strictly (an unknown key is an error), with
// defaults, STATUSD_* environment overrides of the settings, and validation
// that reports every problem at once with the file and line of the value it
// is about.
package config

import (
	"bytes"
	"errors"
	"io"

	"gopkg.in/yaml.v3"

	// Time zones of pages are checked against the embedded database, so
	// that a file valid on one machine is valid on all.
	_ "time/tzdata"
)

// Config is the whole configuration file. Every key is optional; Default
// holds the values of the keys left out.
type Config struct {
	HTTP       HTTP       `yaml:"http"`
	API        API        `yaml:"api"`
	Log        Log        `yaml:"log"`
	Kafka      Kafka      `yaml:"kafka"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	Postgres   Postgres   `yaml:"postgres"`
	Agent      Agent      `yaml:"agent"`
	Aggregator Aggregator `yaml:"aggregator"`
	Defaults   Defaults   `yaml:"defaults"`
	Domains    Domains    `yaml:"domains"`
	Export     Export     `yaml:"export"`
	// Pages are the status pages with their components and checks.
	Pages []Page `yaml:"pages"`
	// Path is the name of the file the configuration was parsed from; what
	// it declares is managed by it.
	Path string `yaml:"-"`
}

// Load reads and parses the file at path; env looks up the environment
// (os.LookupEnv in production). It reads at most MaxFileSize bytes: a
// larger file, or an endless one such as /dev/zero, is an error. Its
// errors are Errors.
func Load(path string, env func(string) (string, bool)) (*Config, error) {
	data, rerr := readFile(path)
	if rerr != nil {
		return nil, Errors{*rerr}
	}
	return Parse(path, data, env)
}

// Parse parses data, the content of the file named filename: it decodes
// strictly, applies the environment overrides that env finds (nil for none)
// and validates. On failure it returns Errors with every problem found,
// sorted by line. Data over MaxFileSize bytes, with more than MaxNodes
// nodes, or nested deeper than MaxDepth, is refused before it is decoded.
func Parse(filename string, data []byte, env func(string) (string, bool)) (*Config, error) {
	if filename == "" {
		filename = "config"
	}
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	if len(data) > MaxFileSize {
		return nil, Errors{*tooLarge(filename)}
	}
	if _, line := scanNodes(data, MaxNodes); line > 0 {
		return nil, Errors{*tooManyNodes(filename, line)}
	}
	doc, errs := parseDocument(filename, data)
	if errs != nil {
		return nil, errs
	}
	if err := tooDeep(filename, doc); err != nil {
		return nil, Errors{*err}
	}
	if err := countTree(filename, doc); err != nil {
		return nil, Errors{*err}
	}
	idx := newIndex(doc)
	cfg := Default()
	bad := newBadValues()
	if err := decodeStrict(data, cfg); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Errors{yamlError(filename, err)}
		}
		errs = idx.decodeErrors(filename, te, bad)
	}
	errs = append(errs, idx.floatInts(filename, bad)...)
	set, envErrs := applyEnv(cfg, env, filename)
	errs = append(errs, envErrs...)

	v := newValidator(filename, idx, set, cfg.Defaults, cfg.HTTP.Addr)
	v.settings(cfg.settingsProblems())
	v.pages(cfg.Pages)
	errs = append(errs, v.report(bad)...)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	cfg.Path = filename
	return cfg, nil
}

// parseDocument parses data into a node tree; it allows one document.
func parseDocument(file string, data []byte) (*yaml.Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, Errors{yamlError(file, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err != nil:
		return nil, Errors{yamlError(file, err)}
	}
	return nil, Errors{{File: file, Line: next.Line, Message: "a second YAML document; the configuration is one document"}}
}

// decodeStrict decodes data into cfg, failing on unknown keys.
func decodeStrict(data []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// yamlError turns a syntax error of yaml.v3 into an Error.
func yamlError(file string, err error) Error {
	line, msg := splitLine(err.Error())
	return Error{File: file, Line: line, Message: msg}
}
