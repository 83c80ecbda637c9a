#!/usr/bin/env bash
# Development and test services for statusd, on loopback only, data under .dev/:
#   ClickHouse  127.0.0.1:19000 (native), 127.0.0.1:18123 (HTTP)
#   Kafka       127.0.0.1:19092 (kfake, in memory, built from deploy/dev/kafka)
#   PostgreSQL  127.0.0.1:5432 when a trusting server already answers there,
#               else our own cluster on 127.0.0.1:15432
#               (STATUSD_DEV_OWN_POSTGRES=1: always our own)
#   DNS         127.0.0.1:15353 (UDP and TCP), knot serving deploy/dev/dns/*.zone
#   promtool    installed (Debian prometheus package) to lint /metrics
#   chromium    installed (Debian chromium package) and axe-core (npm, pinned
#               in deploy/dev/browser/package-lock.json, into .dev/browser)
#               for the browser tests of the HTML page
#
# usage: deploy/dev/services.sh up|down|status
#
# `up` is idempotent: it installs packages only when missing and leaves
# healthy services running. It writes .dev/services.env for `make test`.
# `down` stops only what `up` started (found by pid files), never a reused
# PostgreSQL. Packages are installed with apt-get, through sudo when not root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEV=$ROOT/.dev
ENV_FILE=$DEV/services.env

CH_TCP_PORT=19000
CH_HTTP_PORT=18123
CH_DIR=$DEV/clickhouse
CH_SERVER=/usr/sbin/clickhouse-server
CH_TIMEOUT=${CH_TIMEOUT:-90}

KAFKA_PORT=19092
KAFKA_DIR=$DEV/kafka
KAFKA_BIN=$DEV/bin/kafka

PG_SHARED_PORT=5432
PG_PORT=15432
PG_DIR=$DEV/postgres
PG_TIMEOUT=${PG_TIMEOUT:-60}
DNS_PORT=15353
DNS_DIR=$DEV/dns
DNS_SERVER=/usr/sbin/knotd
BROWSER_SRC=$ROOT/deploy/dev/browser
BROWSER_DIR=$DEV/browser
AXE_JS=$BROWSER_DIR/node_modules/axe-core/axe.min.js

# STATUSD_DEV_OWN_POSTGRES=1 skips reusing 127.0.0.1:5432 and runs our own cluster.
PG_OWN=${STATUSD_DEV_OWN_POSTGRES:-0}

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

as_root() {
	if is_root; then
		"$@"
	else
		sudo "$@"
	fi
}

apt_updated=
apt_install() {
	is_root || command -v sudo >/dev/null || die "installing $* needs root: run as root or install sudo"
	if [ -z "$apt_updated" ]; then
		log "apt-get update"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$DEV/apt.log" 2>&1 9>&- ||
			{ tail -n 30 "$DEV/apt.log" >&2; die "apt-get update failed; log above"; }
		apt_updated=1
	fi
	# Keep the packages' own services (ClickHouse on 9000, a PostgreSQL
	# cluster on 5432) from starting: we run ours. Docker images already
	# carry this policy; elsewhere install it for the duration of apt-get.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
		trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	log "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$DEV/apt.log" 2>&1 9>&- ||
		{ tail -n 30 "$DEV/apt.log" >&2; die "apt-get install $* failed; log above"; }
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# port_owner PORT: best-effort description of the process listening on PORT.
port_owner() {
	if command -v ss >/dev/null; then
		ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/pid \2 (\1)/p' | head -n 1
	fi
}

# http_get PORT PATH: GET http://127.0.0.1:PORT/PATH, body to stdout; curl
# when present, else bash's /dev/tcp.
http_get() {
	local port=$1 path=$2
	if command -v curl >/dev/null; then
		curl -fsS --max-time 3 "http://127.0.0.1:$port$path"
		return
	fi
	(
		exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
		IFS= read -r -t 3 line <&3 || exit 1
		case $line in "HTTP/1."?" 200"*) ;; *) exit 1 ;; esac
		while IFS= read -r -t 3 line <&3; do [ "${line%$'\r'}" = "" ] && break; done
		while IFS= read -r -t 3 line <&3 || [ -n "$line" ]; do printf '%s\n' "$line"; done
	) 2>/dev/null
}

# alive PIDFILE NAME: true when the pid in PIDFILE runs a command containing NAME.
alive() {
	local pid cmd
	[ -s "$1" ] || return 1
	pid=$(<"$1")
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"$2"* ]]
}

# spawn PIDFILE LOG CMD...: run CMD detached in its own session, record its pid.
spawn() {
	local pidfile=$1 logfile=$2
	shift 2
	rm -f "$pidfile"
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
	local i
	for i in $(seq 50); do
		[ -s "$pidfile" ] && return 0
		sleep 0.1
	done
	die "could not start $1"
}

# stop_pid PIDFILE NAME: stop the process we started, TERM then KILL.
stop_pid() {
	local pidfile=$1 name=$2 pid i
	if ! alive "$pidfile" "$name"; then
		rm -f "$pidfile"
		return 0
	fi
	pid=$(<"$pidfile")
	log "stopping $name (pid $pid)"
	kill "$pid" 2>/dev/null || true
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name (pid $pid) ignored SIGTERM for 30s; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# require_free PORT WHAT: fail clearly when a process we did not start holds PORT.
require_free() {
	if port_open "$1"; then
		die "127.0.0.1:$1 is in use by $(port_owner "$1" || true) which services.sh did not start; stop it, then run 'make services' again ($2)"
	fi
}

# ---------------------------------------------------------------- ClickHouse

# ch_healthy: HTTP and native ports both answer SELECT 1 (a bare connect to
# the native port would log "Client has not sent any data").
ch_healthy() {
	[ "$(http_get "$CH_HTTP_PORT" '/?query=SELECT%201' 2>/dev/null)" = 1 ] || return 1
	if command -v clickhouse-client >/dev/null; then
		[ "$(clickhouse-client --host 127.0.0.1 --port "$CH_TCP_PORT" --connect_timeout 3 --query 'SELECT 1' 2>/dev/null)" = 1 ]
	else
		port_open "$CH_TCP_PORT"
	fi
}

ch_render() {
	local tmpl=$ROOT/deploy/dev/clickhouse/config.xml.in text
	text=$(<"$tmpl")
	text=${text//@DATA@/"$CH_DIR"}
	text=${text//@TCP_PORT@/"$CH_TCP_PORT"}
	text=${text//@HTTP_PORT@/"$CH_HTTP_PORT"}
	printf '%s\n' "$text" >"$CH_DIR/conf/config.xml.new"
	cp "$ROOT/deploy/dev/clickhouse/users.xml" "$CH_DIR/conf/users.xml.new"
	local changed=1 f
	for f in config.xml users.xml; do
		if cmp -s "$CH_DIR/conf/$f.new" "$CH_DIR/conf/$f"; then
			rm "$CH_DIR/conf/$f.new"
		else
			mv "$CH_DIR/conf/$f.new" "$CH_DIR/conf/$f"
			changed=0
		fi
	done
	return $changed
}

ch_logs() {
	local f
	for f in "$CH_DIR/log/stdout.log" "$CH_DIR/log/error.log"; do
		[ -s "$f" ] || continue
		printf -- '--- tail of %s\n' "$f" >&2
		tail -n 30 "$f" >&2
	done
}

ch_up() {
	if [ ! -x "$CH_SERVER" ]; then
		apt_install clickhouse-server clickhouse-client
		[ -x "$CH_SERVER" ] || die "apt-get installed clickhouse-server but $CH_SERVER is missing"
	fi
	mkdir -p "$CH_DIR"/{conf,db,log,tmp,user_files,format_schemas}
	local pidfile=$CH_DIR/clickhouse.pid
	if ch_render && alive "$pidfile" clickhouse-server; then
		log "ClickHouse configuration changed; restarting it"
		stop_pid "$pidfile" clickhouse-server
	fi
	if alive "$pidfile" clickhouse-server; then
		if ch_healthy; then
			log "ClickHouse already running (pid $(<"$pidfile"))"
			return
		fi
		log "ClickHouse (pid $(<"$pidfile")) does not answer; restarting it"
		stop_pid "$pidfile" clickhouse-server
	fi
	if ch_healthy; then
		# Started by another checkout (or by hand): tests make their own
		# databases, so sharing it is safe.
		log "reusing the ClickHouse that answers on 127.0.0.1:$CH_TCP_PORT (services.sh will not stop it)"
		return
	fi
	require_free "$CH_TCP_PORT" "ClickHouse native"
	require_free "$CH_HTTP_PORT" "ClickHouse HTTP"
	log "starting ClickHouse"
	(cd "$CH_DIR" && spawn "$pidfile" "$CH_DIR/log/stdout.log" "$CH_SERVER" --config-file="$CH_DIR/conf/config.xml")
	local deadline=$((SECONDS + CH_TIMEOUT))
	until ch_healthy; do
		if ! alive "$pidfile" clickhouse-server; then
			ch_logs
			die "ClickHouse exited during start; logs above"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			ch_logs
			die "ClickHouse did not answer on 127.0.0.1:$CH_HTTP_PORT within ${CH_TIMEOUT}s (still running as pid $(<"$pidfile"); 'make services-down' stops it)"
		fi
		sleep 0.5
	done
	log "ClickHouse ready (pid $(<"$pidfile"))"
}

# --------------------------------------------------------------------- Kafka

kafka_up() {
	local pidfile=$KAFKA_DIR/kafka.pid
	mkdir -p "$KAFKA_DIR" "$DEV/bin"
	# Build when the binary is missing or older than its sources; a failed
	# rebuild (the tree may be mid-edit) keeps a binary we already have.
	if [ ! -x "$KAFKA_BIN" ] || [ -n "$(find "$ROOT/deploy/dev/kafka" "$ROOT/go.mod" "$ROOT/go.sum" -newer "$KAFKA_BIN" -print -quit)" ]; then
		log "building deploy/dev/kafka"
		if ! (cd "$ROOT" && go build -o "$KAFKA_BIN" ./deploy/dev/kafka); then
			[ -x "$KAFKA_BIN" ] || die "build deploy/dev/kafka failed"
			log "build deploy/dev/kafka failed; keeping the existing $KAFKA_BIN"
		fi
	fi
	local sum
	sum=$(sha256sum <"$KAFKA_BIN")
	if alive "$pidfile" "$KAFKA_BIN"; then
		if [ "$sum" != "$(cat "$KAFKA_DIR/kafka.sha256" 2>/dev/null)" ]; then
			log "Kafka broker binary changed; restarting it (topics are in memory and start empty)"
			stop_pid "$pidfile" "$KAFKA_BIN"
		elif port_open "$KAFKA_PORT"; then
			log "Kafka already running (pid $(<"$pidfile"))"
			return
		else
			log "Kafka (pid $(<"$pidfile")) does not accept connections; restarting it"
			stop_pid "$pidfile" "$KAFKA_BIN"
		fi
	fi
	if port_open "$KAFKA_PORT" && "$KAFKA_BIN" -probe -listen "127.0.0.1:$KAFKA_PORT" 2>/dev/null; then
		# A broker from another checkout: tests use their own topic
		# prefixes and groups, so sharing it is safe.
		log "reusing the Kafka-protocol broker that answers on 127.0.0.1:$KAFKA_PORT (services.sh will not stop it)"
		return
	fi
	require_free "$KAFKA_PORT" "Kafka"
	log "starting Kafka"
	spawn "$pidfile" "$KAFKA_DIR/kafka.log" "$KAFKA_BIN" -listen "127.0.0.1:$KAFKA_PORT"
	echo "$sum" >"$KAFKA_DIR/kafka.sha256"
	local deadline=$((SECONDS + 30))
	until port_open "$KAFKA_PORT"; do
		if ! alive "$pidfile" "$KAFKA_BIN" || [ "$SECONDS" -ge "$deadline" ]; then
			tail -n 30 "$KAFKA_DIR/kafka.log" >&2 || true
			stop_pid "$pidfile" "$KAFKA_BIN"
			die "Kafka did not accept connections on 127.0.0.1:$KAFKA_PORT; log above"
		fi
		sleep 0.2
	done
	log "Kafka ready (pid $(<"$pidfile"))"
}

# ---------------------------------------------------------------- PostgreSQL

PG_URL=

# pg_user: the OS user our cluster runs as (initdb refuses root).
pg_user() { if is_root; then echo postgres; else id -un; fi; }

# as_pg CMD...: run CMD as the cluster's OS user, from a directory it can read.
as_pg() {
	if is_root; then
		(cd "$PG_DIR" && runuser -u postgres -- "$@" 9>&-)
	else
		(cd "$PG_DIR" && "$@" 9>&-)
	fi
}

pg_select1() {
	command -v psql >/dev/null &&
		[ "$(PGCONNECT_TIMEOUT=3 psql -X -w -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c 'SELECT 1' 2>/dev/null)" = 1 ]
}

# pg_place: as root the cluster runs as OS user postgres, which must reach its
# data directory. When it cannot reach .dev (a clone under /root, say), the
# cluster lives in postgres's home directory and .dev/postgres links there.
pg_place() {
	is_root || return 0
	if [ ! -L "$PG_DIR" ] && ! runuser -u postgres -- test -x "$DEV" 2>/dev/null; then
		local home alt
		home=$(getent passwd postgres | cut -d: -f6)
		alt=$home/statusd-dev-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
		log "OS user postgres cannot reach $DEV; the cluster lives in $alt, linked from $PG_DIR"
		mkdir -p "$alt"
		chown postgres: "$alt"
		rm -rf "$PG_DIR"
		ln -s "$alt" "$PG_DIR"
	fi
	if [ -L "$PG_DIR" ]; then
		PG_DIR=$(readlink -f "$PG_DIR")
	fi
}

pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$d" ] && [ -x "$d/pg_ctl" ]; then
		echo "$d"
	elif command -v pg_ctl >/dev/null; then
		dirname "$(command -v pg_ctl)"
	fi
}

pg_up() {
	if [ "$PG_OWN" != 1 ] && pg_select1 "$PG_SHARED_PORT"; then
		log "reusing the PostgreSQL that answers on 127.0.0.1:$PG_SHARED_PORT (services.sh will not stop it)"
		PG_URL="postgres://postgres@127.0.0.1:$PG_SHARED_PORT/postgres?sslmode=disable"
		return
	fi
	local bin
	bin=$(pg_bindir)
	if [ -z "$bin" ]; then
		apt_install postgresql
		bin=$(pg_bindir)
		[ -n "$bin" ] || die "apt-get installed postgresql but pg_ctl is not under /usr/lib/postgresql/*/bin"
	fi
	command -v psql >/dev/null || die "psql is missing although PostgreSQL server binaries are in $bin; install postgresql-client"
	local data user
	user=$(pg_user)
	getent passwd "$user" >/dev/null || die "OS user $user does not exist (it comes with the postgresql package)"
	pg_place
	data=$PG_DIR/data
	mkdir -p "$PG_DIR/log"
	if is_root; then
		chown "$user:" "$PG_DIR" "$PG_DIR/log"
	fi
	if [ ! -s "$data/PG_VERSION" ]; then
		log "initdb $data"
		rm -rf "$data"
		as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$PG_DIR/log/initdb.log" 2>&1 ||
			{ tail -n 30 "$PG_DIR/log/initdb.log" >&2; die "initdb failed; log above"; }
		cat >>"$data/postgresql.conf" <<-EOF

			# statusd dev services: loopback only, no unix socket, speed over durability.
			listen_addresses = '127.0.0.1'
			port = $PG_PORT
			unix_socket_directories = ''
			max_connections = 200
			fsync = off
			synchronous_commit = off
			full_page_writes = off
		EOF
	fi
	local version
	version=$(<"$data/PG_VERSION")
	[ "$("$bin/pg_ctl" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/')" = "$version" ] ||
		die "$data was made by PostgreSQL $version but $bin/pg_ctl is another version; remove $PG_DIR and run again"
	if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		if alive "$DNS_DIR/knotd.pid" knotd && dns_healthy; then
		echo "dns         up    127.0.0.1:$DNS_PORT (pid $(<"$DNS_DIR/knotd.pid"))"
	elif dns_healthy; then
		echo "dns         up    127.0.0.1:$DNS_PORT (reused)"
	else
		echo "dns         down"; rc=1
	fi
	if pg_select1 "$PG_PORT"; then
			log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
			PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
			return
		fi
		log "PostgreSQL in $data does not answer; restarting it"
		as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
	require_free "$PG_PORT" "PostgreSQL"
	log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
	as_pg "$bin/pg_ctl" -D "$data" -l "$PG_DIR/log/postgres.log" -w -t "$PG_TIMEOUT" start >/dev/null ||
		{ tail -n 30 "$PG_DIR/log/postgres.log" >&2; die "PostgreSQL did not start within ${PG_TIMEOUT}s; log above"; }
	pg_select1 "$PG_PORT" || die "PostgreSQL started but SELECT 1 on 127.0.0.1:$PG_PORT failed"
	PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
	log "PostgreSQL ready on 127.0.0.1:$PG_PORT"
}

pg_down() {
	if [ -L "$PG_DIR" ]; then
		PG_DIR=$(readlink -f "$PG_DIR")
	fi
	local data=$PG_DIR/data bin
	[ -f "$data/postmaster.pid" ] || return 0
	bin=$(pg_bindir)
	[ -n "$bin" ] || die "cannot stop PostgreSQL in $data: pg_ctl not found"
	log "stopping PostgreSQL in $data"
	as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
}

# ----------------------------------------------------------------------- DNS

# dns_healthy: the server on DNS_PORT answers authoritatively for statusd.test
# over UDP and TCP (a reused server must serve our zone, not just listen).
dns_healthy() {
	command -v kdig >/dev/null || return 1
	local proto
	for proto in +notcp +tcp; do
		kdig @127.0.0.1 -p "$DNS_PORT" "$proto" +time=2 +retry=0 +norecurse www.statusd.test A 2>/dev/null |
			grep -q 'status: NOERROR' || return 1
	done
}

# dns_render: write .dev/dns/knot.conf; true when it changed.
dns_render() {
	local text
	text=$(<"$ROOT/deploy/dev/dns/knot.conf.in")
	text=${text//@DIR@/"$DNS_DIR"}
	text=${text//@ZONES@/"$ROOT/deploy/dev/dns"}
	text=${text//@PORT@/"$DNS_PORT"}
	printf '%s\n' "$text" >"$DNS_DIR/knot.conf.new"
	if cmp -s "$DNS_DIR/knot.conf.new" "$DNS_DIR/knot.conf"; then
		rm "$DNS_DIR/knot.conf.new"
		return 1
	fi
	mv "$DNS_DIR/knot.conf.new" "$DNS_DIR/knot.conf"
}

dns_up() {
	if [ ! -x "$DNS_SERVER" ] || ! command -v kdig >/dev/null; then
		apt_install knot knot-dnsutils
		[ -x "$DNS_SERVER" ] || die "apt-get installed knot but $DNS_SERVER is missing"
	fi
	mkdir -p "$DNS_DIR"/{run,db}
	local pidfile=$DNS_DIR/knotd.pid
	if dns_render && alive "$pidfile" knotd; then
		log "DNS configuration changed; restarting knot"
		stop_pid "$pidfile" knotd
	fi
	if alive "$pidfile" knotd; then
		if dns_healthy; then
			# Zone files may have changed: reloading is cheap and idempotent.
			knotc -c "$DNS_DIR/knot.conf" reload >/dev/null 2>&1 9>&- || true
			log "DNS (knot) already running (pid $(<"$pidfile"))"
			return
		fi
		log "DNS (knot, pid $(<"$pidfile")) does not answer; restarting it"
		stop_pid "$pidfile" knotd
	fi
	if dns_healthy; then
		# Started by another checkout: it serves the same test zones and
		# tests only read them, so sharing it is safe.
		log "reusing the DNS server that answers for statusd.test on 127.0.0.1:$DNS_PORT (services.sh will not stop it)"
		return
	fi
	require_free "$DNS_PORT" "DNS"
	log "starting DNS (knot)"
	spawn "$pidfile" "$DNS_DIR/knot.log" "$DNS_SERVER" -c "$DNS_DIR/knot.conf"
	local deadline=$((SECONDS + 30))
	until dns_healthy; do
		if ! alive "$pidfile" knotd || [ "$SECONDS" -ge "$deadline" ]; then
			tail -n 30 "$DNS_DIR/knot.log" >&2 || true
			stop_pid "$pidfile" knotd
			die "knot did not answer for statusd.test on 127.0.0.1:$DNS_PORT; log above"
		fi
		sleep 0.2
	done
	log "DNS (knot) ready (pid $(<"$pidfile"))"
}

# ------------------------------------------------------------------- command

write_env() {
	cat >"$ENV_FILE.new" <<-EOF
		# Written by deploy/dev/services.sh; source it before running service tests.
		export STATUSD_TEST_KAFKA=127.0.0.1:$KAFKA_PORT
		export STATUSD_TEST_CLICKHOUSE=127.0.0.1:$CH_TCP_PORT
		export STATUSD_TEST_POSTGRES=$PG_URL
		export STATUSD_TEST_DNS=127.0.0.1:$DNS_PORT
		export STATUSD_CHROMIUM=$CHROMIUM
		export STATUSD_AXE_JS=$AXE_JS
	EOF
	mv "$ENV_FILE.new" "$ENV_FILE"
}

lock() {
	mkdir -p "$DEV"
	if command -v flock >/dev/null; then
		# Commands that may leave daemons behind run with 9>&- so that no
		# daemon inherits the lock.
		exec 9>"$DEV/services.lock"
		if ! flock -n 9; then
			log "waiting for another services.sh to finish"
			flock -w 300 9 || die "another services.sh still holds $DEV/services.lock after 300s"
		fi
	fi
}

# --------------------------------------------------------------------- tools

# tools_up: installs the command-line tools tests run; today promtool
# (Debian's prometheus package ships it), with which the agent's /metrics
# is linted. The package's own service is kept from starting by policy-rc.d.
tools_up() {
	if ! command -v promtool >/dev/null; then
		apt_install prometheus
		command -v promtool >/dev/null || die "apt-get installed prometheus but promtool is not on PATH"
	fi
}

# browser_up: Debian's Chromium (headless) and axe-core for the browser
# tests of the HTML page, each installed only when missing; axe-core again
# when the lock file changed.
browser_up() {
	CHROMIUM=$(command -v chromium || true)
	if [ -z "$CHROMIUM" ]; then
		apt_install chromium
		CHROMIUM=$(command -v chromium) || die "apt-get installed chromium but it is not on PATH"
	fi
	if [ ! -s "$AXE_JS" ] || ! cmp -s "$BROWSER_SRC/package-lock.json" "$BROWSER_DIR/package-lock.json"; then
		if ! command -v npm >/dev/null; then
			apt_install npm
		fi
		mkdir -p "$BROWSER_DIR"
		cp "$BROWSER_SRC/package.json" "$BROWSER_SRC/package-lock.json" "$BROWSER_DIR/"
		log "npm ci (axe-core) in ${BROWSER_DIR#"$ROOT"/}"
		(cd "$BROWSER_DIR" && npm ci --ignore-scripts --no-audit --no-fund >"$DEV/npm.log" 2>&1 9>&-) ||
			{ tail -n 30 "$DEV/npm.log" >&2; die "npm ci failed; log above"; }
		[ -s "$AXE_JS" ] || die "npm ci did not install $AXE_JS"
	fi
}

up() {
	command -v go >/dev/null || die "go is not on PATH"
	lock
	ch_up
	kafka_up
	pg_up
	dns_up
	tools_up
	browser_up
	write_env
	printf 'services up (env in %s):\n' "${ENV_FILE#"$ROOT"/}"
	sed -n 's/^export /  /p' "$ENV_FILE"
}

down() {
	lock
	stop_pid "$KAFKA_DIR/kafka.pid" "$KAFKA_BIN"
	stop_pid "$CH_DIR/clickhouse.pid" clickhouse-server
	stop_pid "$DNS_DIR/knotd.pid" knotd
	pg_down
	rm -f "$ENV_FILE"
	log "services down"
}

status() {
	local rc=0
	if alive "$CH_DIR/clickhouse.pid" clickhouse-server && ch_healthy; then
		echo "clickhouse  up    127.0.0.1:$CH_TCP_PORT (pid $(<"$CH_DIR/clickhouse.pid"))"
	else
		echo "clickhouse  down"; rc=1
	fi
	if alive "$KAFKA_DIR/kafka.pid" "$KAFKA_BIN" && port_open "$KAFKA_PORT"; then
		echo "kafka       up    127.0.0.1:$KAFKA_PORT (pid $(<"$KAFKA_DIR/kafka.pid"))"
	else
		echo "kafka       down"; rc=1
	fi
	if alive "$DNS_DIR/knotd.pid" knotd && dns_healthy; then
		echo "dns         up    127.0.0.1:$DNS_PORT (pid $(<"$DNS_DIR/knotd.pid"))"
	elif dns_healthy; then
		echo "dns         up    127.0.0.1:$DNS_PORT (reused)"
	else
		echo "dns         down"; rc=1
	fi
	if pg_select1 "$PG_PORT"; then
		echo "postgres    up    127.0.0.1:$PG_PORT (ours)"
	elif pg_select1 "$PG_SHARED_PORT"; then
		echo "postgres    up    127.0.0.1:$PG_SHARED_PORT (reused)"
	else
		echo "postgres    down"; rc=1
	fi
	return $rc
}

case ${1:-} in
up) up ;;
down) down ;;
status) status ;;
# Debian's nginx for make bench-page, which runs it with its own config.
nginx) mkdir -p "$DEV"; [ -x /usr/sbin/nginx ] || apt_install nginx; [ -x /usr/sbin/nginx ] || die "apt-get installed nginx but /usr/sbin/nginx is missing" ;;
*) echo "usage: $0 up|down|status|nginx" >&2; exit 2 ;;
esac
