package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts the name of every environment variable that overrides a
// setting: STATUSD_ and the key path of the setting, upper case, joined by
// '_' (STATUSD_KAFKA_BROKERS, STATUSD_AGENT_HTTP_ADDR). Lists are comma
// separated.
const EnvPrefix = "STATUSD_"

// envVar is one setting that an environment variable can override.
type envVar struct {
	name  string        // STATUSD_KAFKA_BROKERS
	path  string        // kafka.brokers
	value reflect.Value // the field in the configuration
}

// envVars lists the scalar and scalar-list settings of c, walking the
// settings sections by their yaml keys. Lists of structures (pages) are
// declarations, not settings, and are left out.
func envVars(c *Config) []envVar {
	var vars []envVar
	var walk func(v reflect.Value, path []string)
	walk = func(v reflect.Value, path []string) {
		t := v.Type()
		for i := range t.NumField() {
			name := yamlName(t.Field(i))
			if name == "" || name == "-" || !t.Field(i).IsExported() {
				continue
			}
			p := append(path[:len(path):len(path)], name)
			f := v.Field(i)
			switch {
			case overridable(f.Type()):
				vars = append(vars, envVar{
					name:  EnvPrefix + strings.ToUpper(strings.Join(p, "_")),
					path:  strings.Join(p, "."),
					value: f,
				})
			case f.Kind() == reflect.Struct:
				walk(f, p)
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), nil)
	return vars
}

var durationType = reflect.TypeFor[time.Duration]()

// overridable reports whether a setting of type t can come from a variable.
func overridable(t reflect.Type) bool {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

// applyEnv overrides the settings of c with the variables that env finds,
// and returns the key paths it set with the variable of each.
func applyEnv(c *Config, env func(string) (string, bool), file string) (map[string]string, Errors) {
	set := map[string]string{}
	var errs Errors
	for _, v := range envVars(c) {
		s, ok := env(v.name)
		if !ok {
			continue
		}
		if err := setFromString(v.value, s); err != nil {
			errs = append(errs, Error{File: file, Message: fmt.Sprintf("env %s: %v", v.name, err)})
			continue
		}
		set[v.path] = v.name
	}
	return set, errs
}

// setFromString sets field to s parsed for its type.
func setFromString(field reflect.Value, s string) error {
	if field.Kind() != reflect.Slice {
		return setScalar(field, s)
	}
	var parts []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	list := reflect.MakeSlice(field.Type(), len(parts), len(parts))
	for i, part := range parts {
		if err := setScalar(list.Index(i), part); err != nil {
			return fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	field.Set(list)
	return nil
}

func setScalar(field reflect.Value, s string) error {
	switch {
	case field.Type() == durationType:
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf(`want a duration such as "10s" or "1m30s", got %q`, s)
		}
		field.SetInt(int64(d))
	case field.Kind() == reflect.String:
		field.SetString(s)
	case field.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		field.SetBool(b)
	case field.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a number, got %q", s)
		}
		field.SetFloat(f)
	default: // an integer, as overridable allows
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, field.Type().Bits())
		if err != nil {
			return fmt.Errorf("want an integer, got %q", s)
		}
		field.SetInt(n)
	}
	return nil
}
