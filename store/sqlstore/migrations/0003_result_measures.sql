-- What the DNS, ICMP and TLS probes observe besides phases and status:
-- the DNS rcode, ICMP packet loss (a fraction) and round trips (µs), the
-- earliest certificate expiry (Unix ms, 0 for none) and days left, and
-- whether the probe marked a success degraded.
ALTER TABLE results ADD COLUMN rcode TEXT NOT NULL DEFAULT '';
ALTER TABLE results ADD COLUMN packet_loss DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN rtt_min_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN rtt_avg_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN rtt_max_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN cert_expiry_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN cert_days_left INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN degraded BOOLEAN NOT NULL DEFAULT FALSE;
