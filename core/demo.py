"""The demo accounts' names and public passwords (README), one per role.

Here, not in seed_data, because the app's start-up check needs them outside demo mode (server.py refuses
to start while any of these accounts still has one of these passwords, core.auth.refuse_known_passwords);
`seed_data.demo` creates the accounts in demo mode.
"""

from __future__ import annotations

from core.models import Role

# (username, role, password): printed by `serve` in demo mode; never used outside it.
DEMO_ACCOUNTS: list[tuple[str, Role, str]] = [
    ("admin", Role.admin, "demo-admin-2021"),
    ("official", Role.official, "demo-official-2021"),
    ("evaluator", Role.evaluator, "demo-evaluator-2021"),
    ("auditor", Role.auditor, "demo-auditor-2021"),
]

# The name each demo account shows (navigation, audit log, reports): Korean, as every name a person reads.
DEMO_NAMES: dict[Role, str] = {
    Role.admin: "시연 관리자", Role.official: "시연 사업담당관", Role.evaluator: "시연 평가위원",
    Role.auditor: "시연 감사관",
}


def demo_credentials() -> list[tuple[str, str]]:
    """(username, password) of every demo account, for the start-up check outside demo mode."""
    return [(username, password) for username, _, password in DEMO_ACCOUNTS]
