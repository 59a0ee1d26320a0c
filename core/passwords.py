"""Passwords: the policy a new password must meet, and Argon2 hashing with bounded concurrency.

Policy (finding 8 of issue 9): at least 12 characters; not the username nor containing it; not in
the list of common passwords shipped in ``core/data/common-passwords.txt`` (19,640 entries from
Django's list, see ``core/data/common-passwords.LICENSE``), also after lower-casing, undoing
common letter substitutions (``p@ssw0rd``) and removing digits and punctuation before or after
it (``Password2021!``); not a run of a keyboard row or of the alphabet or digits; not one piece
repeated (``abcabcabcabc``); at least 5 different characters; not made only of this system's own
words (``demo-admin-2021``).

Argon2 as configured here needs 64 MiB per hash. Every hash and verification takes a slot of a
process-wide semaphore (`password_hash_concurrency`, default 2), so a burst of logins queues
instead of holding 64 MiB each at once (measured: 16 concurrent logins took the server from
160 to 1,124 MiB without it).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import DomainError, RuleViolation
from core.settings import get_settings

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_DISTINCT = 5
# How long a login may wait for a hashing slot before it is told to try again.
HASH_WAIT_SECONDS = 30.0
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"

# Words of this system that make a password guessable by anyone who has seen the demo.
_SYSTEM_WORDS = ("demo", "admin", "administrator", "official", "evaluator", "auditor", "grant", "grants",
                 "password", "passwd", "test", "user", "guest", "root", "welcome", "login", "change", "me",
                 "ministry", "msit", "nia", "data", "ai")
_LEET = str.maketrans({"@": "a", "4": "a", "8": "b", "(": "c", "3": "e", "6": "g", "1": "i", "!": "i",
                       "|": "l", "0": "o", "$": "s", "5": "s", "7": "t", "+": "t", "2": "z"})
_EDGE = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm",
              "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1q2w3e4r5t6y7u8i9o0p",
              "qazwsxedcrfvtgbyhnujmikolp", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ")


class PasswordHashBusy(DomainError):
    """Every hashing slot stayed taken for HASH_WAIT_SECONDS: the caller should try again shortly."""

    status_code = 503
    code = "busy"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _is_system_words(letters: str) -> bool:
    """True when `letters` is a concatenation of this system's own words only."""
    if not letters:
        return False
    reachable = [True] + [False] * len(letters)
    for i in range(len(letters)):
        if reachable[i]:
            for word in _SYSTEM_WORDS:
                if letters.startswith(word, i):
                    reachable[i + len(word)] = True
    return reachable[-1]


def _is_sequence(text: str) -> bool:
    for seq in _SEQUENCES:
        for s in (seq, seq[::-1]):
            if text in s * (len(text) // len(s) + 2):
                return True
    return False


def policy_problem(password: str, *, username: str = "") -> tuple[str, str] | None:
    """Why `password` is refused for `username` — (rule, message) — or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short", f"the password must have at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return "too_long", f"the password must have at most {MAX_LENGTH} characters"
    lower = password.casefold()
    name = username.casefold()
    if len(name) >= 3 and name in lower:
        return "contains_username", "the password must not contain the username"
    if len(set(password)) < MIN_DISTINCT:
        return "too_few_characters", f"the password must use at least {MIN_DISTINCT} different characters"
    if _is_sequence(lower):
        return "sequence", "the password must not be a run of keyboard, alphabet or digit keys"
    repeated = re.fullmatch(r"(.+?)\1+", lower)
    if repeated and (len(repeated.group(1)) <= 4 or repeated.group(1) in common_passwords()):
        return "repeated", "the password must not be one short piece repeated"
    common = common_passwords()
    candidates = {lower, lower.translate(_LEET), _EDGE.sub("", lower)}
    candidates.add(_EDGE.sub("", lower).translate(_LEET))
    if any(c in common for c in candidates if c):
        return "common", "the password is in the list of common passwords"
    letters = re.sub(r"[\W\d_]+", "", lower)
    if _is_system_words(letters) or _is_system_words(letters.translate(_LEET)):
        return "system_words", "the password must not be made of this system's own words (demo, admin, …)"
    return None


def check_policy(password: str, *, username: str = "", field: str = "password") -> None:
    """Raise RuleViolation (422) naming the rule when `password` does not meet the policy."""
    problem = policy_problem(password, username=username)
    if problem is not None:
        rule, message = problem
        raise RuleViolation(f"password.{rule}", field=field, details={"rule": rule, "min_length": MIN_LENGTH},
                            min_length=MIN_LENGTH, max_length=MAX_LENGTH, distinct=MIN_DISTINCT)


# --------------------------------------------------------------------------- hashing

_hasher = PasswordHasher()
_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _semaphore() -> threading.BoundedSemaphore:
    """The process-wide hashing semaphore, sized by `password_hash_concurrency` (at least 1)."""
    global _slots, _slots_size
    size = max(1, get_settings().password_hash_concurrency)
    with _slots_lock:
        if _slots is None or size != _slots_size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


class _Slot:
    def __enter__(self) -> None:
        self.semaphore = _semaphore()
        if not self.semaphore.acquire(timeout=HASH_WAIT_SECONDS):
            raise PasswordHashBusy("auth.busy")

    def __exit__(self, *_: object) -> None:
        self.semaphore.release()


def hash_password(password: str) -> str:
    """An Argon2id hash of `password` (waits for a hashing slot)."""
    with _Slot():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash` (waits for a hashing slot)."""
    with _Slot():
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
