"""The command line reports in Korean by default, in English with `--lang en` or an English locale (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

import main
from core import migrate
from core.settings import get_settings


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def test_migrate_reports_in_korean_then_english(monkeypatch: pytest.MonkeyPatch, no_locale: None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    upgraded: list[str] = []
    monkeypatch.setattr(migrate, "upgrade", upgraded.append)
    url = main._redact(get_settings().database_url)
    assert main.main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"데이터베이스({url})의 스키마가 최신입니다"
    assert main.main(["--lang", "en", "migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"database at {url} is at the newest schema"
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # an English locale, no --lang
    assert main.main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"database at {url} is at the newest schema"
    assert upgraded == [get_settings().database_url] * 3


def test_audit_keygen_reports_in_korean_then_english(tmp_path: Path, no_locale: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    ko, en = tmp_path / "ko.pem", tmp_path / "en.pem"
    assert main.main(["audit", "keygen", "--out", str(ko)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{ko}에 키를 썼습니다(권한 600); 키 ID ") and "key id" not in out
    assert main.main(["--lang", "en", "audit", "keygen", "--out", str(en)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {en} (mode 600); key id ")
    assert main.main(["audit", "keygen", "--out", str(ko)]) == 2  # refuses to overwrite, in Korean
    err = capsys.readouterr().err
    assert err.startswith("오류: ") and ko.exists()
