package api_test

// feedExamples are TestOpenAPIExamples' requests of the page's feeds,
// badges and widget.
func feedExamples() []example {
	var out []example
	for _, m := range []string{"GET", "HEAD"} {
		out = append(out,
			example{name: m + " rss", srv: "pub", method: m, path: "/history.rss", want: 200},
			example{name: m + " rss down", srv: "down", method: m, path: "/history.rss", want: 503},
			example{name: m + " atom", srv: "pub", method: m, path: "/history.atom", want: 200},
			example{name: m + " badge", srv: "pub", method: m, path: "/badge.svg", want: 200},
			example{name: m + " badge uptime", srv: "pub", method: m, path: "/badge.svg?type=uptime&window=7d&style=flat-square&label=Acme", want: 200},
			example{name: m + " badge bad window", srv: "pub", method: m, path: "/badge.svg?type=uptime&window=1y", want: 400, badRequest: true},
			example{name: m + " component badge", srv: "pub", method: m, path: "/components/api/badge.svg?type=uptime", want: 200},
			example{name: m + " component badge unknown", srv: "pub", method: m, path: "/components/app/badge.svg", want: 404},
			example{name: m + " widget script", srv: "pub", method: m, path: "/widget.js", want: 200},
			example{name: m + " widget data", srv: "pub", method: m, path: "/widget.json", want: 200},
			example{name: m + " widget data down", srv: "down", method: m, path: "/widget.json", want: 503})
	}
	return out
}
