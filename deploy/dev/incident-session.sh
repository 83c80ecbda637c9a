#!/bin/sh
# Writes an on-call session of `statusd incident` (open, updates, a private
# note, resolve, a refused resolve, list, show) against a real standalone on
# port 0 over SQLite, and the /api/v2/incidents.json of that incident, to
# the file given (default: incident-session.txt). Needs no services.
set -eu
out=$(realpath -m "${1:-incident-session.txt}")
cd "$(dirname "$0")/../.."
go test ./cmd/statusd -run '^TestIncidentCLISession$' -count=1 -args -incident-transcript "$out"
echo "wrote $out"
