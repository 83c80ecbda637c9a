package config

import "strings"

// padTo holds the invalid cases too big to commit: TestInvalid pads the
// file with comment lines to this many bytes.
var padTo = map[string]int{
	"invalid-too-large.yaml": MaxFileSize + 1,
}

// grow holds the invalid cases of too many nodes to commit: TestInvalid
// appends what the function returns to the file.
var grow = map[string]func() string{
	"invalid-too-many-nodes.yaml": func() string { return strings.Repeat("[], ", MaxNodes) + "[]]\n" },
}

// invalid maps every testdata/invalid-*.yaml file to its exact errors.
var invalid = map[string][]string{
	"invalid-syntax.yaml": {
		"invalid-syntax.yaml:2: did not find expected key",
	},
	"invalid-too-large.yaml": {
		"invalid-too-large.yaml: the file is larger than the limit of 4 MiB (4194304 bytes)",
	},
	"invalid-too-many-nodes.yaml": {
		"invalid-too-many-nodes.yaml:8: the file holds more than the limit of 200000 YAML nodes (keys, values, lists and mappings)",
	},
	"invalid-deep-nesting.yaml": {
		"invalid-deep-nesting.yaml:5: mappings and lists nest deeper than the limit of 64 levels",
	},
	"invalid-two-documents.yaml": {
		"invalid-two-documents.yaml:2: a second YAML document; the configuration is one document",
	},
	"invalid-top-level-list.yaml": {
		"invalid-top-level-list.yaml:1: top level: want a mapping, got a list",
	},
	"invalid-unknown-top-level-field.yaml": {
		`invalid-unknown-top-level-field.yaml:1: unknown top-level field "page" (did you mean "pages"?)`,
	},
	"invalid-unknown-settings-field.yaml": {
		`invalid-unknown-settings-field.yaml:3: unknown field "linger_ms" in kafka`,
	},
	"invalid-unknown-check-field.yaml": {
		`invalid-unknown-check-field.yaml:10: unknown field "intervall" in check "api-health" (did you mean "interval"?)`,
	},
	"invalid-unknown-http-field.yaml": {
		`invalid-unknown-http-field.yaml:12: unknown field "methd" in http of check "api-health" (did you mean "method"?)`,
	},
	"invalid-unknown-fields.yaml": {
		`invalid-unknown-fields.yaml:2: unknown top-level field "htp" (did you mean "http"?)`,
		`invalid-unknown-fields.yaml:3: unknown field "levle" in log (did you mean "level"?)`,
		`invalid-unknown-fields.yaml:7: unknown field "timezone" in page "main" (did you mean "time_zone"?)`,
		`invalid-unknown-fields.yaml:11: unknown field "descripton" in component "api" (did you mean "description"?)`,
	},
	"invalid-complex-key.yaml": {
		`invalid-complex-key.yaml:2: http: a key must be a string, got a list`,
	},
	"invalid-duplicate-key.yaml": {
		`invalid-duplicate-key.yaml:11: duplicate key "interval" in check "api-health" (first at line 10)`,
	},
	"invalid-bad-duration.yaml": {
		`invalid-bad-duration.yaml:2: kafka.linger: want a duration such as "10s" or "1m30s", got "5 ms"`,
		`invalid-bad-duration.yaml:12: check "api-health": interval: want a duration such as "10s" or "1m30s", got 10`,
		`invalid-bad-duration.yaml:13: check "api-health": timeout: want a duration such as "10s" or "1m30s", got "soon"`,
	},
	"invalid-bad-integer.yaml": {
		`invalid-bad-integer.yaml:2: aggregator.batch_size: want an integer, got "lots"`,
		`invalid-bad-integer.yaml:9: component "api": quorum: want an integer, got 1.5`,
		`invalid-bad-integer.yaml:13: check "api-health": failure_threshold: want an integer, got "three"`,
		`invalid-bad-integer.yaml:14: check "api-health": http.expected_status[1]: want an integer, got "ok"`,
	},
	"invalid-float-integer.yaml": {
		`invalid-float-integer.yaml:2: kafka.results_partitions: want an integer, got 12.0`,
	},
	"invalid-bad-bool.yaml": {
		`invalid-bad-bool.yaml:12: check "api-health": http.follow_redirects: want true or false, got "maybe"`,
	},
	"invalid-wrong-shape.yaml": {
		`invalid-wrong-shape.yaml:1: kafka: want a mapping, got "127.0.0.1:9092"`,
		`invalid-wrong-shape.yaml:3: clickhouse.addr: want a list, got "127.0.0.1:9000"`,
		`invalid-wrong-shape.yaml:14: check "api-health": http.url: want a string, got a list`,
		`invalid-wrong-shape.yaml:15: check "api-health": http.headers: want a mapping, got "Accept=application/json"`,
		`invalid-wrong-shape.yaml:16: check "api-health": http.expected_status: want a list, got 200`,
		`invalid-wrong-shape.yaml:17: check: want a mapping, got "just-a-string"`,
	},
	"invalid-http.yaml": {
		`invalid-http.yaml:2: http.addr: must be host:port, got "localhost"`,
	},
	"invalid-api.yaml": {
		`invalid-api.yaml:2: api.rate_limit: must be between 1 and 100000, got 0`,
		`invalid-api.yaml:3: api.rate_burst: must be between 1 and 100000, got 1000000`,
	},
	"invalid-api-private-pages.yaml": {
		`invalid-api-private-pages.yaml:2: api.session_key: must be at least 32 bytes of secret, got 5`,
		`invalid-api-private-pages.yaml:3: api.trusted_proxies[2]: must be an IP address or a network in CIDR notation, got "proxy.local"`,
		`invalid-api-private-pages.yaml:3: api.trusted_proxies[3]: must be an IP address or a network in CIDR notation, got "192.0.2.0/33"`,
	},
	"invalid-api-types.yaml": {
		`invalid-api-types.yaml:2: api.rate_limit: want an integer, got "10/s"`,
		`invalid-api-types.yaml:3: api.rate_burst: want an integer, got 2.5`,
	},
	"invalid-log.yaml": {
		`invalid-log.yaml:2: log.level: must be one of debug, info, warn, error; got "verbose"`,
		`invalid-log.yaml:3: log.format: must be one of text, json; got "logfmt"`,
	},
	"invalid-kafka.yaml": {
		`invalid-kafka.yaml:2: kafka.brokers[1]: must be host:port, got "kafka-2"`,
		`invalid-kafka.yaml:2: kafka.brokers[2]: must be host:port, got ":9092"`,
		`invalid-kafka.yaml:3: kafka.topic_prefix: must be at most 200 letters, digits, '.', '_' or '-', got "status d."`,
		`invalid-kafka.yaml:4: kafka.results_partitions: must be between 1 and 10000, got 0`,
		`invalid-kafka.yaml:5: kafka.linger: must be between 1ms and 1s, got 2s`,
	},
	"invalid-kafka-no-brokers.yaml": {
		`invalid-kafka-no-brokers.yaml:2: kafka.brokers: must list at least one broker`,
	},
	"invalid-clickhouse.yaml": {
		`invalid-clickhouse.yaml:2: clickhouse.addr[1]: must be host:port, got "clickhouse:native"`,
		`invalid-clickhouse.yaml:3: clickhouse.database: must be 1 to 63 letters, digits and '_', not starting with a digit, got "status-d"`,
		`invalid-clickhouse.yaml:4: clickhouse.username: is required`,
	},
	"invalid-clickhouse-no-addr.yaml": {
		`invalid-clickhouse-no-addr.yaml:2: clickhouse.addr: must list at least one server`,
	},
	"invalid-postgres-dsn-empty.yaml": {
		`invalid-postgres-dsn-empty.yaml:2: postgres.dsn: is required`,
	},
	"invalid-postgres-dsn-scheme.yaml": {
		`invalid-postgres-dsn-scheme.yaml:2: postgres.dsn: must be a postgres:// or postgresql:// URL or key=value pairs, got scheme "mysql"`,
	},
	"invalid-postgres-dsn-form.yaml": {
		`invalid-postgres-dsn-form.yaml:2: postgres.dsn: must be a postgres:// or postgresql:// URL or key=value pairs`,
	},
	"invalid-postgres-dsn-url.yaml": {
		`invalid-postgres-dsn-url.yaml:2: postgres.dsn: is not a valid URL`,
	},
	"invalid-agent.yaml": {
		`invalid-agent.yaml:2: agent.id: must be at most 255 printable characters without spaces, got "agent one"`,
		`invalid-agent.yaml:3: agent.region: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got "EU-West"`,
		`invalid-agent.yaml:4: agent.http_addr: must be host:port, got "9108"`,
		`invalid-agent.yaml:5: agent.concurrency: must be between 1 and 100000, got 0`,
	},
	"invalid-agent-heartbeat.yaml": {
		`invalid-agent-heartbeat.yaml:2: agent.heartbeat_interval: must be between 1s and 5m, got 500ms`,
	},
	"invalid-agent-no-id.yaml": {
		`invalid-agent-no-id.yaml:2: agent.id: is required`,
	},
	"invalid-component-slo.yaml": {
		`invalid-component-slo.yaml:8: component "api": slo.target: must be a percentage above 0 and below 100, got 100`,
		`invalid-component-slo.yaml:9: component "api": slo.window_days: must be between 1 and 365, got 400`,
		`invalid-component-slo.yaml:12: component "web": slo.target: must be a percentage above 0 and below 100, got 0`,
	},
	"invalid-impact-weight-major.yaml": {
		`invalid-impact-weight-major.yaml:3: aggregator.impact_weights.major: must be more than 0 and at most 1, got 0`,
		`invalid-impact-weight-major.yaml:4: aggregator.impact_weights.degraded: want a number, got "heavy"`,
	},
	"invalid-impact-weights.yaml": {
		`invalid-impact-weights.yaml:4: aggregator.impact_weights.partial: must be between 0 and the major weight (0.2), got 0.5`,
		`invalid-impact-weights.yaml:5: aggregator.bucket_retention: must be between 8784h and 87840h, got 720h0m0s`,
	},
	"invalid-month-freeze-grace.yaml": {
		`invalid-month-freeze-grace.yaml:2: aggregator.month_freeze_grace: must be between 1h and 720h, got 30m0s`,
	},
	"invalid-clickhouse-retention.yaml": {
		`invalid-clickhouse-retention.yaml:2: clickhouse.raw_retention: must be between 24h and 87840h, got 12h0m0s`,
		`invalid-clickhouse-retention.yaml:3: clickhouse.rollup_retention: must be between 24h and 87840h, got 100000h0m0s`,
	},
	"invalid-clickhouse-rollup-retention.yaml": {
		`invalid-clickhouse-rollup-retention.yaml:3: clickhouse.rollup_retention: must be at least raw_retention (2400h0m0s), got 720h0m0s`,
	},
	"invalid-aggregator.yaml": {
		`invalid-aggregator.yaml:2: aggregator.group_id: is required`,
		`invalid-aggregator.yaml:3: aggregator.batch_size: must be between 1 and 100000, got 2000000`,
		`invalid-aggregator.yaml:4: aggregator.batch_wait: must be between 1ms and 1m, got 0s`,
		`invalid-aggregator.yaml:5: aggregator.incident_cooldown: must be between 0s and 24h, got 48h0m0s`,
		`invalid-aggregator.yaml:6: aggregator.max_result_age: must be between 1h and 9600h, got 30m0s`,
	},
	"invalid-domains.yaml": {
		`invalid-domains.yaml:2: domains.cname_target: must be a lower-case host name such as status.example.net, got "Status.Example.NET"`,
		`invalid-domains.yaml:3: domains.interval: must be between 1m and 24h, got 30s`,
		`invalid-domains.yaml:4: domains.unverified_interval: must be between 10s and interval (30s), got 5s`,
		`invalid-domains.yaml:5: domains.root_servers[0]: must be host:port, got "198.41.0.4"`,
	},
	"invalid-export.yaml": {
		`invalid-export.yaml:1: export.dir: is required when on_change is true`,
		`invalid-export.yaml:3: export.min_interval: must be between 1s and 1h, got 100ms`,
		`invalid-export.yaml:4: export.domain: must be a lower-case host name such as status.example.net, got "Status.Example.NET"`,
	},
	"invalid-export-interval.yaml": {
		`invalid-export-interval.yaml:3: export.min_interval: must be between 1s and 1h, got 2h0m0s`,
	},
	"invalid-defaults.yaml": {
		`invalid-defaults.yaml:2: defaults.interval: must be at least 1s, got 500ms`,
		`invalid-defaults.yaml:3: defaults.timeout: must be positive, got -1s`,
		`invalid-defaults.yaml:4: defaults.failure_threshold: must be between 1 and 100, got 0`,
		`invalid-defaults.yaml:5: defaults.success_threshold: must be between 1 and 100, got 101`,
	},
	"invalid-page.yaml": {
		`invalid-page.yaml:2: page: id: is required`,
		`invalid-page.yaml:3: page "Main Page": id: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
		`invalid-page.yaml:3: page "Main Page": name: is required`,
		`invalid-page.yaml:4: page "Main Page": url: must be an absolute http or https URL or a path on statusd such as /, got "status.example.com"`,
		`invalid-page.yaml:5: page "Main Page": time_zone: unknown time zone "Mars/Olympus_Mons"`,
		`invalid-page.yaml:8: page "local": time_zone: must name a time zone, not the local one`,
		`invalid-page.yaml:11: duplicate page id "main" (first at line 9)`,
	},
	"invalid-empty-entries.yaml": {
		`invalid-empty-entries.yaml:2: pages: empty entry`,
		`invalid-empty-entries.yaml:6: page "main": components: empty entry`,
		`invalid-empty-entries.yaml:10: component "api": checks: empty entry`,
	},
	"invalid-page-fields.yaml": {
		`invalid-page-fields.yaml:4: page "main": subdomain: must be a DNS label: 1-63 lower-case letters, digits or '-', not starting or ending with '-'`,
		`invalid-page-fields.yaml:5: page "main": custom_domain: must be a lower-case host name such as status.example.com`,
		`invalid-page-fields.yaml:7: page "main": password_hash: must be a bcrypt hash such as $2a$10$…, never the password itself`,
		`invalid-page-fields.yaml:8: page "main": ip_allowlist[1]: must be a network in CIDR notation such as 192.0.2.0/24, got "10.0.0.300/8"`,
		`invalid-page-fields.yaml:10: page "main": branding.logo_url: must be an absolute http or https URL, got "logo.png"`,
		`invalid-page-fields.yaml:11: page "main": branding.favicon_url: must be an absolute http or https URL, got "ftp://example.com/f.ico"`,
		`invalid-page-fields.yaml:12: page "main": branding.brand_color: must be a colour as #rrggbb, got "red"`,
		`invalid-page-fields.yaml:13: page "main": branding.background_color: must be a colour as #rrggbb, got "#fff"`,
		`invalid-page-fields.yaml:14: page "main": branding.text_color: must be a colour as #rrggbb, got "#00000g"`,
		`invalid-page-fields.yaml:16: page "main": links.website: must be an absolute http or https URL, got "example.com"`,
		`invalid-page-fields.yaml:17: page "main": links.support: must be an absolute http or https URL, got "mailto:ops@example.com"`,
		`invalid-page-fields.yaml:18: page "main": links.privacy: must be an absolute http or https URL, got "//example.com/privacy"`,
		`invalid-page-fields.yaml:19: page "main": robots_meta: must be at most 255 bytes, got 256`,
		`invalid-page-fields.yaml:20: page "main": analytics_id: must not contain a NUL byte`,
		`invalid-page-fields.yaml:23: page "locked": private: a private page needs a password or an ip_allowlist`,
	},
	"invalid-component-fields.yaml": {
		`invalid-component-fields.yaml:7: component "api": start_date: must be a date as YYYY-MM-DD, got "2025-13-01"`,
		`invalid-component-fields.yaml:8: component "api": show_uptime: want true or false, got "sometimes"`,
		`invalid-component-fields.yaml:9: component "api": also_on[3]: page "beta" is listed twice`,
		`invalid-component-fields.yaml:9: component "api": also_on[4]: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
		`invalid-component-fields.yaml:9: component "api": also_on[1]: the component is on page "main" already`,
		`invalid-component-fields.yaml:9: component "api": also_on[2]: no page "nope" in the file`,
	},
	"invalid-component.yaml": {
		`invalid-component.yaml:5: component: id: is required`,
		`invalid-component.yaml:6: component "API": id: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
		`invalid-component.yaml:8: component "db": name: is required`,
		`invalid-component.yaml:9: component "db": quorum: must not be negative, got -1`,
	},
	"invalid-duplicate-ids.yaml": {
		`invalid-duplicate-ids.yaml:17: duplicate component id "api" (first at line 5)`,
		`invalid-duplicate-ids.yaml:20: duplicate check id "api-health" (first at line 8)`,
	},
	"invalid-group-with-checks.yaml": {
		`invalid-group-with-checks.yaml:7: component "backend": a group may not have checks of its own; give them to one of its components`,
	},
	"invalid-check.yaml": {
		`invalid-check.yaml:8: check "API Health": id: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
		`invalid-check.yaml:10: check "API Health": interval: must be at least 1s, got 500ms`,
		`invalid-check.yaml:15: check "slow": timeout: must be positive and at most the interval (10s), got 20s`,
		`invalid-check.yaml:16: check "slow": failure_threshold: must be between 1 and 100, got 101`,
		`invalid-check.yaml:17: check "slow": success_threshold: must be between 1 and 100, got -1`,
		`invalid-check.yaml:18: check "slow": degraded_latency: must not be negative, got -1s`,
		`invalid-check.yaml:19: check "slow": regions[1]: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
		`invalid-check.yaml:22: check "smtp": type: must be one of: http, dns, tcp, tls, icmp; got "smtp"`,
		`invalid-check.yaml:23: check "no-http": http: is required for a check of type http`,
		`invalid-check.yaml:25: check: id: is required`,
	},
	"invalid-check-incident-on.yaml": {
		`invalid-check-incident-on.yaml:9: check "api-http": incident_on: must be major or partial, got "minor"`,
	},
	"invalid-check-http.yaml": {
		`invalid-check-http.yaml:10: check "no-url": http.url: is required`,
		`invalid-check-http.yaml:13: check "ftp": http.url: must use http or https, got "ftp"`,
		`invalid-check-http.yaml:16: check "no-host": http.url: must name a host`,
		`invalid-check-http.yaml:19: check "bad-url": http.url: is not a valid URL: missing ']' in host`,
		`invalid-check-http.yaml:24: check "bad-method": http.method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; got "FETCH"`,
		`invalid-check-http.yaml:25: check "bad-method": http.expected_status[1]: must be an HTTP status code (100-599), got 600`,
		"invalid-check-http.yaml:26: check \"bad-method\": http.body_regex: is not a valid regular expression: error parsing regexp: missing closing ): `(unclosed`",
	},
	"invalid-check-http-headers.yaml": {
		"invalid-check-http-headers.yaml:12: check \"bad-headers\": http.headers: \"X Bad\" is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
		"invalid-check-http-headers.yaml:14: check \"bad-headers\": http.headers.X-Split: must be one line without NUL bytes, got \"a\\r\\nInjected: yes\"",
		"invalid-check-http-headers.yaml:17: check \"bad-port\": http.url: port must be 1-65535, got \"99999\"",
		"invalid-check-http-headers.yaml:18: check \"negative-interval\": timeout: must be positive and at most the interval (-5s), got 10s",
		"invalid-check-http-headers.yaml:19: check \"negative-interval\": interval: must be at least 1s, got -5s",
	},
	"invalid-check-dns.yaml": {
		"invalid-check-dns.yaml:11: check \"bad-dns\": dns.server: port must be 1-65535, got \"99999\"",
		"invalid-check-dns.yaml:12: check \"bad-dns\": dns.name: is not a valid domain name: \"bad name..example\"",
		"invalid-check-dns.yaml:13: check \"bad-dns\": dns.type: is not a DNS record type: \"AAAAA\"",
		"invalid-check-dns.yaml:14: check \"bad-dns\": dns.rcodes[1]: is not a DNS response code: \"SOMETIMES\"",
		"invalid-check-dns.yaml:15: check \"bad-dns\": dns.answers[0]: must be one non-empty line, got \"\"",
		"invalid-check-dns.yaml:15: check \"bad-dns\": dns.answers[1]: must be one non-empty line, got \"two\\nlines\"",
		"invalid-check-dns.yaml:16: check \"bad-dns\": dns.answer_regex: is not a valid regular expression: error parsing regexp: missing closing ]: `[unclosed`",
		"invalid-check-dns.yaml:17: check \"bad-dns\": dns.udp_size: must be between 512 and 65535, got 100",
		"invalid-check-dns.yaml:18: check \"bad-dns\": dns.attempts: must be between 1 and 10, got 11",
		"invalid-check-dns.yaml:20: check \"no-server\": dns.server: is required",
	},
	"invalid-check-tcp.yaml": {
		"invalid-check-tcp.yaml:11: check \"bad-tcp\": tcp.address: port must be 1-65535, got \"99999\"",
		"invalid-check-tcp.yaml:12: check \"bad-tcp\": tcp.family: must be 4, 6 or 0 (either), got 5",
		"invalid-check-tcp.yaml:13: check \"bad-tcp\": tcp.send: must be one line, has a line break at byte 4",
		"invalid-check-tcp.yaml:14: check \"bad-tcp\": tcp.expect: is not a valid regular expression: error parsing regexp: missing argument to repetition operator: `+`",
		"invalid-check-tcp.yaml:16: check \"no-port\": tcp.address: must be host:port, got \"db.example\"",
	},
	"invalid-check-tls.yaml": {
		"invalid-check-tls.yaml:11: check \"hostile-tls\": tls.address: port must be 1-65535, got \"0\"",
		"invalid-check-tls.yaml:12: check \"hostile-tls\": tls.server_name: must be a host name of at most 253 printable ASCII characters, got \"evil.example/../x:443\"",
		"invalid-check-tls.yaml:13: check \"hostile-tls\": tls.ca_file: must not contain a NUL byte",
		"invalid-check-tls.yaml:14: check \"hostile-tls\": tls.expiry_threshold_days: must be between 1 and 365, got 100000",
	},
	"invalid-check-icmp.yaml": {
		"invalid-check-icmp.yaml:11: check \"bad-ping\": icmp.host: must be a host name or IP address of at most 253 printable ASCII characters, got \"a host\"",
		"invalid-check-icmp.yaml:12: check \"bad-ping\": icmp.family: must be 4, 6 or 0 (either), got 7",
		"invalid-check-icmp.yaml:13: check \"bad-ping\": icmp.count: must be between 1 and 100, got 1000",
		"invalid-check-icmp.yaml:14: check \"bad-ping\": icmp.interval: must be between 10ms and 10s, got 1ms",
		"invalid-check-icmp.yaml:15: check \"bad-ping\": icmp.loss_threshold_percent: must be between 1 and 100, got 101",
		"invalid-check-icmp.yaml:17: check \"no-host\": icmp.host: is required",
	},
	"invalid-check-wrong-block.yaml": {
		"invalid-check-wrong-block.yaml:8: check \"dns-with-http\": dns: is required for a check of type dns",
		"invalid-check-wrong-block.yaml:10: check \"dns-with-http\": http: is not allowed in a check of type \"dns\"",
		"invalid-check-wrong-block.yaml:10: check \"dns-with-http\": http.url: must use http or https, got \"ftp\"",
		"invalid-check-wrong-block.yaml:11: check \"two-blocks\": type: is required (one of: http, dns, tcp, tls, icmp)",
		"invalid-check-wrong-block.yaml:15: check \"unknown-with-block\": type: must be one of: http, dns, tcp, tls, icmp; got \"smtp\"",
	},
	"invalid-unknown-probe-field.yaml": {
		"invalid-unknown-probe-field.yaml:9: unknown field \"rcode\" in dns of check \"typo\" (did you mean \"rcodes\"?)",
		"invalid-unknown-probe-field.yaml:11: unknown field \"insecure\" in tls of check \"typo-tls\"",
	},
	"invalid-check-http-more.yaml": {
		"invalid-check-http-more.yaml:12: check \"bad-http\": http.body_not_regex: is not a valid regular expression: error parsing regexp: invalid repeat count: `{2,1}`",
		"invalid-check-http-more.yaml:14: check \"bad-http\": http.header_matches[0].name: must be a header name (letters, digits and !#$%&'*+-.^_`|~ only), got \"Content Type\"",
		"invalid-check-http-more.yaml:14: check \"bad-http\": http.header_matches[0].regex: is not a valid regular expression: error parsing regexp: missing closing ): `(json`",
		"invalid-check-http-more.yaml:15: check \"bad-http\": http.max_body_bytes: must be between 1 and 67108864, got 1000000000",
		"invalid-check-http-more.yaml:16: check \"bad-http\": http.max_redirects: must be between 1 and 30, got 31",
		"invalid-check-http-more.yaml:17: check \"bad-http\": http.ca_file: must not contain a NUL byte",
		"invalid-check-http-more.yaml:18: check \"bad-http\": http.client_cert_file: needs a client_key_file",
		"invalid-check-http-more.yaml:19: check \"bad-http\": http.ip_family: must be 4, 6 or 0 (either), got 5",
		"invalid-check-http-more.yaml:20: check \"bad-http\": http.cert_expiry_threshold_days: must be between 1 and 365, got 400",
		"invalid-check-http-more.yaml:22: check \"fallback-alone\": http.max_body_bytes: must be between 1 and 67108864, got -1",
		"invalid-check-http-more.yaml:22: check \"fallback-alone\": http.ip_fallback: can be turned off only with an ip_family",
	},
	"invalid-many.yaml": {
		`invalid-many.yaml:3: log.level: must be one of debug, info, warn, error; got "loud"`,
		`invalid-many.yaml:4: unknown field "brokerz" in kafka (did you mean "brokers"?)`,
		`invalid-many.yaml:4: kafka.linger: must be between 1ms and 1s, got 1m0s`,
		`invalid-many.yaml:14: check "api-health": interval: want a duration such as "10s" or "1m30s", got "10x"`,
		`invalid-many.yaml:15: unknown field "methd" in http of check "api-health" (did you mean "method"?)`,
		`invalid-many.yaml:15: check "api-health": http.expected_status[0]: must be an HTTP status code (100-599), got 999`,
	},
	"invalid-agent-spool.yaml": {
		`invalid-agent-spool.yaml:3: agent.spool.dir: must be an absolute path, got "spool"`,
		`invalid-agent-spool.yaml:4: agent.spool.max_bytes: must be between 1048576 (1 MiB) and 1099511627776 (1 TiB), got 1000`,
		`invalid-agent-spool.yaml:5: agent.spool.max_age: must be between 1m and 720h, got 10s`,
	},
}
