"""Bounded types sized to this domain's columns (module-level aliases, so type checkers read them as types)."""

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
