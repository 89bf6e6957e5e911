"""How a benchmark's systems reach PostgreSQL, and the kernel's TCP
congestion control: under BBR, large answers over loopback TCP stall for a
client that lets the kernel delay its ACKs (BENCHMARKS.md, "twelfth" and
"thirteenth pass"), so every run says which it had. Shared by
bench/run and bench/burst."""

import urllib.parse
from pathlib import Path


def conditions(pg_admin):
    """`{"postgres_via", "tcp_congestion_control"}` for the admin URL
    `pg_admin`: a socket when its host (percent-encoded, or `?host=`) is a
    directory, TCP otherwise."""
    parts = urllib.parse.urlsplit(pg_admin)
    host = urllib.parse.unquote(parts.hostname or "")
    host = dict(urllib.parse.parse_qsl(parts.query)).get("host", host)
    try:
        congestion = Path("/proc/sys/net/ipv4/tcp_congestion_control").read_text().strip()
    except OSError:
        congestion = None
    return {
        "postgres_via": f"socket in {host}" if host.startswith("/") else f"TCP to {host}",
        "tcp_congestion_control": congestion,
    }


def described(conditions):
    """The conditions in one line."""
    return (f"PostgreSQL: {conditions['postgres_via']}; TCP congestion control: "
            f"{conditions['tcp_congestion_control'] or 'unknown'}")
