"""Create or drop a throwaway PostgreSQL database for the test run.

    python tools/pg_testdb.py create NAME   → prints the SQLAlchemy URL of the new database
    python tools/pg_testdb.py drop NAME

Starts the local cluster first when it is down (Debian's pg_ctlcluster). Exits 3 when no
PostgreSQL can be reached, so that the Makefile can tell "not installed" from a failure.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

import psycopg

HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = os.environ.get("PGPORT", "5432")
USER = os.environ.get("PGUSER", "postgres")
ADMIN_DB = os.environ.get("PG_ADMIN_DB", "postgres")


def _connect() -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname=ADMIN_DB, autocommit=True, connect_timeout=3)


def _start_cluster() -> None:
    versions = [os.path.basename(p) for p in glob.glob("/etc/postgresql/*")]
    if not versions:
        return
    for v in versions:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", v, "main", "start"],
                       check=False, capture_output=True)


def ensure_up() -> psycopg.Connection:
    try:
        return _connect()
    except psycopg.OperationalError:
        _start_cluster()
    for _ in range(30):
        try:
            return _connect()
        except psycopg.OperationalError:
            time.sleep(1)
    print(f"PostgreSQL is not reachable on {HOST}:{PORT}", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    action, name = sys.argv[1], sys.argv[2]
    if not name.replace("_", "").isalnum():
        raise SystemExit("database name must be alphanumeric")
    with ensure_up() as conn:
        if action == "create":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{name}")
        elif action == "drop":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
