"""Bounded types sized to this domain's columns (module-level aliases, so type checkers read them as types)."""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from core.bounded import bounded_int, bounded_text

Reason500 = bounded_text(500, min_length=3, multiline=True)
Evidence = bounded_text(120)
Note500 = bounded_text(500, multiline=True)
PersonKey = bounded_text(64, min_length=3)
JobRole = bounded_text(100, min_length=1)
TrainingHours = bounded_int(1, 1000)
PayUnit = bounded_text(20, min_length=1)
RegionName = bounded_text(20)
EvidenceRef = bounded_text(120, min_length=1)
Platform = bounded_text(120, min_length=1)


def _https_url(value: str) -> str:
    """A job posting's apply link: an absolute https URL with a host (no javascript:, data: or http:)."""
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be an https:// address")
    return value


ApplyUrl = Annotated[str, Field(min_length=12, max_length=500), AfterValidator(_https_url)]
