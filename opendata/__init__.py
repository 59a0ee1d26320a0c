"""Open data: the programme's awards in the published standards, for anyone to download.

- `opendata.giving360.package(session, program_id, as_of)`: a 360Giving Data Standard 1.4.3
  grants package, one grant per award, as an iterator of JSON text chunks.
- `opendata.ocds.package(session, program_id, as_of)`: an Open Contracting Data Standard 1.1.5
  release package, one release per project slot, as an iterator of JSON text chunks.
- `opendata.api`: both served without login under /api/v1/public/open-data/.
- `opendata/schemas/`: the official JSON schemas of both versions with their licences
  (the tests validate every export against them offline).

Only public data leaves here: award decisions, amounts, dates, organisations (names and
business registration numbers) and monthly grant execution. Never people (hires, evaluators,
payees, officials), score sheets or scores, contact data, or free text typed by staff.

This package sits above budgeting: it reads core, program, scoring and budgeting; nothing
imports it but server.py, main.py, the benchmark and the tests.
"""
