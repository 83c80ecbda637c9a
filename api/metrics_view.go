package api

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/statusd/statusd/uptime"
)

// The formulas, as the calculation fields show them.
const (
	uptimeFormula = "100 - (total_impact_time / (total_time - maintenance_time - no_data_time) * 100), floored to 3 decimals"
	mttrFormula   = "total_impact_time / outages.count"
	mtbfFormula   = "(total_time - maintenance_time - no_data_time - total_impact_time) / outages.count"
	impactFormula = "major_outage_time * %g + partial_outage_time * %g + degraded_time * %g"
	budgetFormula = "(1 - target_percent / 100) * (window_time - maintenance_time - no_data_time) - window_impact_time"
	burnFormula   = "(impact_time / counted_time over the last 1 h or 6 h) / (1 - target_percent / 100)"
)

// metricsBody is GET /api/v1/components/{id}/metrics: the fields of
// Sorry's metrics response, with statusd's additions.
type metricsBody struct {
	Component      metricsComponent `json:"component"`
	TimeframeStart string           `json:"timeframe_start"`
	TimeframeEnd   string           `json:"timeframe_end"`
	Uptime         uptimeFigure     `json:"percentage_uptime"`
	MTTR           durationFigure   `json:"mean_time_to_recovery"`
	MTBF           durationFigure   `json:"mean_time_between_failures"`
	SLO            *sloFigure       `json:"slo"`
	URL            string           `json:"url"`
	Data           *metricsData     `json:"calculation_data_in_timeframe,omitempty"`
}

type metricsComponent struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	IsGroup bool   `json:"is_group"`
}

// uptimeFigure is a percentage; Percent is null with words when the
// timeframe holds no time with data.
type uptimeFigure struct {
	Percent     *float64 `json:"percent"`
	Words       string   `json:"words"`
	Calculation string   `json:"calculation,omitempty"`
}

// durationFigure is a mean time; Seconds is null with words when the
// timeframe holds no outage.
type durationFigure struct {
	Seconds     *int64 `json:"seconds"`
	Words       string `json:"words"`
	Calculation string `json:"calculation,omitempty"`
}

// amount is a span of time.
type amount struct {
	Seconds int64  `json:"seconds"`
	Words   string `json:"words"`
}

func newAmount(ms int64) amount { return amount{Seconds: ms / 1000, Words: durationWords(ms)} }

// metricsData is the data a calculation used.
type metricsData struct {
	TotalTime       amount             `json:"total_time"`
	TotalImpactTime amount             `json:"total_impact_time"`
	MajorTime       amount             `json:"major_outage_time"`
	PartialTime     amount             `json:"partial_outage_time"`
	DegradedTime    amount             `json:"degraded_time"`
	MaintenanceTime amount             `json:"maintenance_time"`
	NoDataTime      amount             `json:"no_data_time"`
	UntrackedTime   amount             `json:"untracked_time"`
	CountedTime     amount             `json:"counted_time"`
	Impact          string             `json:"total_impact_calculation"`
	Outages         metricsCount       `json:"outages"`
	Notices         metricsNotices     `json:"notices"`
	Components      []string           `json:"components"`
	From            string             `json:"from"`
	To              string             `json:"to"`
	Weights         map[string]float64 `json:"impact_weights"`
	Notes           []string           `json:"notes"`
}

type metricsCount struct {
	Count int `json:"count"`
}

type metricsNotices struct {
	Count int             `json:"count"`
	Items []metricsNotice `json:"items"`
}

// metricsNotice is an incident that overlaps the timeframe.
type metricsNotice struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	Automatic bool    `json:"automatic"`
	BeganAt   string  `json:"began_at"`
	EndedAt   *string `json:"ended_at"`
}

// metricsSummary is a component's 30-day uptime in the components list.
type metricsSummary struct {
	TimeframeStart string       `json:"timeframe_start"`
	TimeframeEnd   string       `json:"timeframe_end"`
	Uptime         uptimeFigure `json:"percentage_uptime"`
	SLO            *sloFigure   `json:"slo"`
	URL            string       `json:"url"`
}

// sloFigure is a component's objective, its error budget over its window
// (ending now) and its burn rates.
type sloFigure struct {
	TargetPercent float64       `json:"target_percent"`
	WindowDays    int           `json:"window_days"`
	WindowStart   string        `json:"window_start"`
	WindowEnd     string        `json:"window_end"`
	Uptime        uptimeFigure  `json:"percentage_uptime"`
	Budget        budgetFigure  `json:"error_budget"`
	Burn1h        *float64      `json:"burn_rate_1h"`
	Burn6h        *float64      `json:"burn_rate_6h"`
	Calculation   *sloFormulaes `json:"calculation,omitempty"`
}

type budgetFigure struct {
	AllowedSeconds int64    `json:"allowed_seconds"`
	LeftSeconds    int64    `json:"left_seconds"`
	LeftPercent    *float64 `json:"left_percent"`
	Words          string   `json:"words"`
}

type sloFormulaes struct {
	Budget string `json:"error_budget"`
	Burn   string `json:"burn_rate"`
}

func metricsURL(id string, q metricsQuery) string {
	v := url.Values{"timeframe_start": {q.from.String()}, "timeframe_end": {q.to.String()}}
	return "/api/v1/components/" + url.PathEscape(id) + "/metrics?" + v.Encode()
}

func newUptimeFigure(f uptime.Figures, calc bool) uptimeFigure {
	out := uptimeFigure{Words: "No data in this timeframe"}
	if f.UptimeMilli != nil {
		p := float64(*f.UptimeMilli) / 1000
		out.Percent, out.Words = &p, percentWords(*f.UptimeMilli)
	}
	if calc {
		out.Calculation = uptimeFormula
	}
	return out
}

func newDurationFigure(ms *int64, formula string, calc bool) durationFigure {
	out := durationFigure{Words: "No outages in this timeframe"}
	if ms != nil {
		s := *ms / 1000
		out.Seconds, out.Words = &s, durationWords(*ms)
	}
	if calc {
		out.Calculation = formula
	}
	return out
}

func newMetricsBody(sc scope, q metricsQuery, fs figures, w uptime.Weights, now time.Time) metricsBody {
	f := uptime.Compute(fs.sum)
	b := metricsBody{
		Component:      metricsComponent{ID: sc.comp.ID, Name: sc.comp.Name, IsGroup: sc.comp.IsGroup},
		TimeframeStart: q.from.String(), TimeframeEnd: q.to.String(),
		Uptime: newUptimeFigure(f, q.calc),
		MTTR:   newDurationFigure(f.MTTR, mttrFormula, q.calc),
		MTBF:   newDurationFigure(f.MTBF, mtbfFormula, q.calc),
		SLO:    newSLOFigure(sc, fs, now, q.calc),
		URL:    metricsURL(sc.comp.ID, q),
	}
	if !q.calc {
		return b
	}
	s := fs.sum
	d := &metricsData{
		TotalTime: newAmount(s.Total), TotalImpactTime: newAmount(s.Impact),
		MajorTime: newAmount(s.Major), PartialTime: newAmount(s.Partial), DegradedTime: newAmount(s.Degraded),
		MaintenanceTime: newAmount(s.Maintenance), NoDataTime: newAmount(f.NoData), UntrackedTime: newAmount(s.Untracked),
		CountedTime: newAmount(f.Available),
		Impact:      fmt.Sprintf(impactFormula, w.Major, w.Partial, w.Degraded),
		Outages:     metricsCount{Count: s.Outages},
		Components:  sc.leaves,
		From:        s.Start.UTC().Format(v1TimeLayout), To: s.End.UTC().Format(v1TimeLayout),
		Weights: map[string]float64{"major": w.Major, "partial": w.Partial, "degraded": w.Degraded},
		Notes:   []string{},
	}
	if d.Components == nil {
		d.Components = []string{}
	}
	if s.End.Before(q.to.Next().Start(sc.loc)) {
		d.Notes = append(d.Notes, fmt.Sprintf("The timeframe ends now (%s): its last day counts up to now.", d.To))
	}
	switch {
	case fs.since.IsZero():
		d.Notes = append(d.Notes, "statusd has no data on this component yet: the whole timeframe counts as no data.")
	case s.Untracked > 0:
		d.Notes = append(d.Notes, fmt.Sprintf("statusd has tracked this component since %s; the %s of the timeframe before count as no data.",
			fs.since.UTC().Format(v1TimeLayout), durationWords(s.Untracked)))
	}
	if len(s.Frozen) > 0 {
		names := make([]string, len(s.Frozen))
		for i, m := range s.Frozen {
			names[i] = m.String()
		}
		d.Notes = append(d.Notes, fmt.Sprintf("Closed months served as they were frozen after their end: %s.", strings.Join(names, ", ")))
	}
	if sc.comp.IsGroup {
		d.Notes = append(d.Notes, fmt.Sprintf("A group: the times of its %d components are added up, so each weighs by its own time.", len(sc.leaves)))
	}
	b.Data = d
	return b
}

func newMetricsSummary(sc scope, q metricsQuery, fs figures, now time.Time) *metricsSummary {
	return &metricsSummary{
		TimeframeStart: q.from.String(), TimeframeEnd: q.to.String(),
		Uptime: newUptimeFigure(uptime.Compute(fs.sum), false),
		SLO:    newSLOFigure(sc, fs, now, false),
		URL:    metricsURL(sc.comp.ID, q),
	}
}

// newSLOFigure computes the error budget left over the SLO window and the
// burn rates; nil when the component declares no SLO.
func newSLOFigure(sc scope, fs figures, now time.Time, calc bool) *sloFigure {
	slo := sc.comp.SLO
	if !slo.Set() || fs.window == nil {
		return nil
	}
	today := uptime.DayOf(now, sc.loc)
	f := uptime.Compute(*fs.window)
	allowedFrac := 1 - slo.Target/100
	allowed := int64(math.Floor(allowedFrac * float64(f.Available)))
	left := allowed - fs.window.Impact
	out := &sloFigure{
		TargetPercent: slo.Target, WindowDays: slo.WindowDays,
		WindowStart: today.AddDays(-(slo.WindowDays - 1)).String(), WindowEnd: today.String(),
		Uptime: newUptimeFigure(f, false),
		Budget: budgetFigure{AllowedSeconds: allowed / 1000, LeftSeconds: left / 1000, Words: "No data in the window"},
	}
	if allowed > 0 {
		p := math.Floor(float64(left)/float64(allowed)*100_000) / 1000
		out.Budget.LeftPercent = &p
		out.Budget.Words = fmt.Sprintf("%s left of %s", durationWords(max(0, left)), durationWords(allowed))
		if left < 0 {
			out.Budget.Words = fmt.Sprintf("Exhausted: %s over a budget of %s", durationWords(-left), durationWords(allowed))
		}
	}
	burn := func(r [2]int64) *float64 {
		if r[1] <= 0 {
			return nil
		}
		v := math.Round(float64(r[0])/float64(r[1])/allowedFrac*1000) / 1000
		return &v
	}
	out.Burn1h, out.Burn6h = burn(fs.recent[0]), burn(fs.recent[1])
	if calc {
		out.Calculation = &sloFormulaes{Budget: budgetFormula, Burn: burnFormula}
	}
	return out
}
