package statuspage_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The goldens the API writes (api/v2_exact_test.go) in each state, and the
// Atlassian reference each document is held to.
var (
	exactStates = []string{"operational", "outage", "maintenance"}
	exactDocs   = []struct{ slug, reference string }{
		{"summary", "summary.json"},
		{"status", "status.json"},
		{"components", "components.json"},
		{"incidents", "incidents.json"},
		{"incidents_unresolved", "incidents-unresolved.json"},
		{"scheduled_maintenances", "scheduled-maintenances.json"},
		{"scheduled_maintenances_upcoming", "scheduled-maintenances-upcoming.json"},
		{"scheduled_maintenances_active", "scheduled-maintenances-active.json"},
	}
)

// alsoAllowed are the keys whose value may take JSON types a reference
// capture happens not to show at that place, each as Statuspage documents
// or other captures show it.
var alsoAllowed = map[string][]string{
	"description":         {"string", "null"}, // a component's: null when it has none (captures show both)
	"group_id":            {"string", "null"}, // null at top level
	"start_date":          {"string", "null"}, // a date, null when unset (HashiCorp 2021 shows both)
	"monitoring_at":       {"string", "null"}, // null until the first monitoring update (Cloudflare 2026 shows a time)
	"resolved_at":         {"string", "null"}, // null while open
	"affected_components": {"array", "null"},  // null when the update announced none (GitHub 2024 shows both)
	"custom_tweet":        {"string", "null"}, // the custom post's text when one was set
	"tweet_id":            {"null"},           // statusd posts nothing: always null
}

// extraKeys are keys statusd sends that a reference does not show, each
// with why it is still Statuspage's shape. statusd adds no key of its own.
var extraKeys = map[string]string{
	"start_date": "every component since 2021 (HashiCorp 2021, GitHub 2024, Cloudflare 2026); the 2020 Huobi maintenance capture predates it",
}

// unfilled are reference arrays statusd always sends empty or null, with why.
var unfilled = map[string]string{
	"scheduled_maintenances[].incident_updates[].affected_components[]": "statusd records no component " +
		"transitions on maintenance updates: null, as Statuspage sends for an update that announced none",
}

// Vocabularies, by the path of the value (array elements as []).
var (
	indicators    = []string{"none", "minor", "major", "critical", "maintenance"}
	compStatuses  = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	incStatuses   = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	maintStatuses = []string{"scheduled", "in_progress", "verifying", "completed"}
	impacts       = []string{"none", "minor", "major", "critical", "maintenance"}
	vocabularies  = []struct {
		suffix string
		values []string
	}{
		{"affected_components[].old_status", compStatuses},
		{"affected_components[].new_status", compStatuses},
		{"scheduled_maintenances[].incident_updates[].status", maintStatuses},
		{"scheduled_maintenances[].status", maintStatuses},
		{"incidents[].incident_updates[].status", incStatuses},
		{"incidents[].status", incStatuses},
		{"components[].status", compStatuses},
		{".impact", impacts},
	}
	// docVocabularies narrow a document's own list.
	docVocabularies = map[string]map[string][]string{
		"summary": {"scheduled_maintenances[].status": {"scheduled", "in_progress", "verifying"},
			"incidents[].status": {"investigating", "identified", "monitoring"}},
		"incidents_unresolved":            {"incidents[].status": {"investigating", "identified", "monitoring"}},
		"scheduled_maintenances_upcoming": {"scheduled_maintenances[].status": {"scheduled"}},
		"scheduled_maintenances_active":   {"scheduled_maintenances[].status": {"in_progress", "verifying"}},
	}
	timestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`)
	civilDate = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
)

// TestGoldensMatchAtlassian holds every v2 golden, in every state, to the
// shape of the real Statuspage document of testdata/atlassian: every key
// the reference sends is there with the same JSON type, no other key,
// arrays by the shape of their elements, and the vocabularies, times and
// dates as Statuspage writes them. Across the states, every array the
// reference fills is filled at least once, so no element goes unchecked.
func TestGoldensMatchAtlassian(t *testing.T) {
	for _, d := range exactDocs {
		t.Run(d.slug, func(t *testing.T) {
			ref := &shape{}
			ref.add(readJSON(t, filepath.Join("testdata", "atlassian", d.reference)))
			filled := map[string]bool{}
			for _, st := range exactStates {
				ours := readJSON(t, filepath.Join("..", "testdata", "v2exact_"+st+"_"+d.slug+".golden.json"))
				c := &checker{doc: d.slug, filled: filled}
				c.check("", ref, ours)
				for _, e := range c.errs {
					t.Errorf("%s: %s", st, e)
				}
			}
			for _, path := range ref.arrays("") {
				if _, ok := unfilled[path]; !ok && !filled[path] {
					t.Errorf("%s is empty in every state: its elements are never checked", path)
				}
			}
		})
	}
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (the API's goldens: go test ./api -run TestV2ExactGolden -update): %v", path, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return v
}

// shape is what a reference shows at one place: the JSON types seen, for
// objects each key with how many of the objects had it, for arrays the
// merged shape of every element.
type shape struct {
	types   map[string]bool
	objects int
	count   map[string]int
	keys    map[string]*shape
	elem    *shape
}

func (s *shape) add(v any) {
	if s.types == nil {
		s.types = map[string]bool{}
	}
	s.types[kind(v)] = true
	switch v := v.(type) {
	case map[string]any:
		if s.keys == nil {
			s.keys, s.count = map[string]*shape{}, map[string]int{}
		}
		s.objects++
		for k, val := range v {
			if s.keys[k] == nil {
				s.keys[k] = &shape{}
			}
			s.keys[k].add(val)
			s.count[k]++
		}
	case []any:
		for _, e := range v {
			if s.elem == nil {
				s.elem = &shape{}
			}
			s.elem.add(e)
		}
	}
}

// arrays lists the paths of the arrays whose elements the reference shows.
func (s *shape) arrays(path string) []string {
	var out []string
	if s.elem != nil {
		out = append(out, path+"[]")
		out = append(out, s.elem.arrays(path+"[]")...)
	}
	for k, sub := range s.keys {
		out = append(out, sub.arrays(join(path, k))...)
	}
	sort.Strings(out)
	return out
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// checker walks one of our documents beside the reference's shape.
type checker struct {
	doc    string
	filled map[string]bool
	errs   []string
}

func (c *checker) fail(path, format string, args ...any) {
	c.errs = append(c.errs, path+": "+fmt.Sprintf(format, args...))
}

func (c *checker) check(path string, ref *shape, v any) {
	key := path[strings.LastIndex(path, ".")+1:]
	k := kind(v)
	if !ref.types[k] && !slices.Contains(alsoAllowed[key], k) {
		c.fail(path, "is %s, Atlassian sends %v", k, sortedKeys(ref.types))
		return
	}
	switch v := v.(type) {
	case map[string]any:
		c.object(path, ref, v)
	case []any:
		if len(v) > 0 {
			c.filled[path+"[]"] = true
		}
		for _, e := range v {
			if ref.elem == nil {
				c.fail(path, "has elements where Atlassian shows none")
				return
			}
			c.check(path+"[]", ref.elem, e)
		}
	case string:
		c.value(path, key, v)
	}
}

func (c *checker) object(path string, ref *shape, v map[string]any) {
	for k, n := range ref.count {
		if _, ok := v[k]; !ok && n == ref.objects {
			c.fail(join(path, k), "missing")
		}
	}
	for k, val := range v {
		sub := ref.keys[k]
		if sub == nil {
			if _, ok := extraKeys[k]; !ok {
				c.fail(join(path, k), "is not in Atlassian's document")
			}
			continue
		}
		c.check(join(path, k), sub, val)
	}
	if g, ok := v["group"].(bool); ok { // a group lists its children's ids, nothing else does
		children, has := v["components"].([]any)
		if g != has {
			c.fail(path, "group %v with components %v", g, v["components"])
		}
		for _, id := range children {
			if _, ok := id.(string); !ok {
				c.fail(join(path, "components"), "lists %v, not an id", id)
			}
		}
	}
}

func (c *checker) value(path, key, v string) {
	switch {
	case strings.HasSuffix(key, "_at") || key == "scheduled_for" || key == "scheduled_until":
		if !timestamp.MatchString(v) {
			c.fail(path, "%q is not a time as Statuspage writes it (2024-09-16T21:31:02.719Z)", v)
		}
	case key == "start_date":
		if !civilDate.MatchString(v) {
			c.fail(path, "%q is not a date (2020-10-16)", v)
		}
	case key == "shortlink" || key == "id" || key == "name":
		if v == "" {
			c.fail(path, "is empty")
		}
	}
	if path == "status.indicator" && !slices.Contains(indicators, v) {
		c.fail(path, "%q is not an indicator %v", v, indicators)
	}
	for _, r := range vocabularies {
		if strings.HasSuffix("."+path, "."+strings.TrimPrefix(r.suffix, ".")) {
			values := r.values
			if narrow, ok := docVocabularies[c.doc][path]; ok {
				values = narrow
			}
			if !slices.Contains(values, v) {
				c.fail(path, "%q is not one of %v", v, values)
			}
			return
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
