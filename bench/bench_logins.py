"""A burst of concurrent logins against a real uvicorn server: peak memory and /health latency.

Finding 8 of issue 9: 16 concurrent logins raised the server from 174 to 1,022 MiB (Argon2 at
64 MiB each) and stalled /health. The server runs in its own process on a throwaway SQLite file
with 16 accounts; 16 threads post the right password at once while the server's resident memory
(VmRSS from /proc) is sampled and /health is timed.

    .venv/bin/python -m bench logins
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOGINS = 16


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _prepare(path: Path) -> list[tuple[str, str]]:
    import schema
    from core import auth, db
    from core.models import Role, User

    engine = db.make_engine(f"sqlite:///{path}")
    schema.create_all(engine)
    accounts = [(f"bench-login-{i}", f"bench-login-password-{i:02d}-xyz") for i in range(LOGINS)]
    from sqlmodel import Session

    with Session(engine) as session:
        for username, password in accounts:
            session.add(User(username=username, role=Role.official, password_hash=auth.hash_password(password)))
        session.commit()
    engine.dispose()
    return accounts


def measure() -> dict[str, Any]:
    import httpx

    from bench.common import served

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "logins.db"
        accounts = _prepare(path)
        with served({"DATABASE_URL": f"sqlite:///{path}", "DEMO_MODE": "true"}) as server:
            base, pid = server.url, server.pid
            # one login first so that what is measured is the burst, not first-use imports
            httpx.post(f"{base}/api/v1/auth/token", data={"username": accounts[0][0], "password": accounts[0][1]},
                       timeout=60)
            time.sleep(0.5)
            idle = _rss_mib(pid)
            peak = idle
            statuses: list[int] = []
            health_ms: list[float] = []
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, _rss_mib(pid))
                    time.sleep(0.005)

            def health() -> None:
                with httpx.Client(timeout=60) as c:
                    while not done.is_set():
                        started = time.perf_counter()
                        c.get(f"{base}/health")
                        health_ms.append((time.perf_counter() - started) * 1000)
                        time.sleep(0.02)

            def login(username: str, password: str) -> None:
                r = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": password},
                               timeout=120)
                statuses.append(r.status_code)

            watchers = [threading.Thread(target=sample), threading.Thread(target=health)]
            for t in watchers:
                t.start()
            time.sleep(0.2)
            started = time.perf_counter()
            threads = [threading.Thread(target=login, args=acc) for acc in accounts]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            time.sleep(0.2)
            done.set()
            for t in watchers:
                t.join()
    return {
        "concurrent_logins": LOGINS,
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "idle_rss_mib": round(idle),
        "peak_rss_mib": round(peak),
        "burst_seconds": round(wall, 2),
        "health_max_ms": round(max(health_ms)) if health_ms else None,
        "health_requests": len(health_ms),
    }


def main() -> None:
    from bench.common import save

    save("logins", measure())


if __name__ == "__main__":
    main()
