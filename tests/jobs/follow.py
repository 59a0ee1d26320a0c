"""For API tests of endpoints that answer 202 with a job: follow the job to its file.

With JOB_QUEUE_URL=memory:// (the test runs' queue) the job has run by the time the 202 arrives;
with a real worker, `follow` polls the job's URL until it is finished.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response


def wait(client: TestClient, url: str, headers: dict[str, str], *, polls: int = 6000) -> dict[str, Any]:
    """Poll a job URL until the job is done, failed or cancelled; its JSON."""
    for _ in range(polls):
        body: dict[str, Any] = client.get(url, headers=headers).json()
        if body["status"] in ("done", "failed", "cancelled"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish: {body}")


def follow(client: TestClient, response: Response, headers: dict[str, str]) -> Response:
    """The file of the job a 202 answer names (the answer itself when it is not a 202)."""
    if response.status_code != 202:
        return response
    job = wait(client, response.headers["location"], headers)
    assert job["status"] == "done", job
    return client.get(job["file_url"], headers=headers)


def fetch(client: TestClient, method: str, url: str, *, headers: dict[str, str], **kwargs: Any) -> Response:
    """Request a report endpoint and, when it answers 202, return the finished job's file instead."""
    return follow(client, client.request(method, url, headers=headers, **kwargs), headers)
