// Package browsertest drives the public HTML status page through a real
// headless Chromium: a real statusd API server on a loopback port over a
// SQLite store seeded through the store's own paths (the evaluator's
// changes, the operators' API), in the operational, partial outage, major
// outage and maintenance states. The tests assert what a person sees
// (texts, the words for every colour, tooltips, a 360 px layout, the dark
// theme), run axe-core in the page, and with -update save screenshots to
// docs/screenshots. The package holds tests only.
//
// Chromium is found by STATUSD_CHROMIUM, else on PATH; axe-core by
// STATUSD_AXE_JS, else .dev/browser (both installed by make services).
// With -short the tests skip when either is missing; otherwise they fail.
package browsertest
