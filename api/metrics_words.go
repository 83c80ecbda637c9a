package api

import (
	"fmt"
	"strconv"
	"strings"
)

// durationWords says a duration of ms milliseconds in its two largest
// units, as Sorry does: "2 Days, 6 Hours", "20 Hours", "0 Seconds".
func durationWords(ms int64) string {
	s := ms / 1000
	units := []struct {
		name string
		size int64
	}{{"Day", 86400}, {"Hour", 3600}, {"Minute", 60}, {"Second", 1}}
	var parts []string
	for _, u := range units {
		if n := s / u.size; n > 0 && len(parts) < 2 {
			name := u.name
			if n != 1 {
				name += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
			s -= n * u.size
		} else if len(parts) > 0 {
			break // two units at most, and adjacent ones: "1 Day, 30 Seconds" would mislead
		}
	}
	if len(parts) == 0 {
		return "0 Seconds"
	}
	return strings.Join(parts, ", ")
}

// percentWords writes an uptime in thousandths of a percent: "99.95%",
// "100%".
func percentWords(milli int64) string {
	s := strconv.FormatInt(milli/1000, 10)
	if frac := milli % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	return s + "%"
}
