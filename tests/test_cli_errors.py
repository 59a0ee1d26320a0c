"""The command line answers bad arguments and failures with a message, never a traceback (finding 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("argv", "expected"), [
    (["check", "--as-of", "2022-13-01"], "'2022-13-01' is not a date; write YYYY-MM-DD"),
    (["check", "--as-of", "yesterday"], "is not a date"),
    (["check", "--as-of", "0001-01-01"], "outside the years"),
    (["check", "--program-id", "abc"], "id must be a whole number"),
    (["check", "--program-id", "9223372036854775808"], "id must be between 1 and 2147483647"),
    (["check", "--program-id", "0"], "id must be between 1 and 2147483647, not 0"),
    (["report", "status", "--out", "x.pdf", "--project", "-1"], "id must be between"),
    (["serve", "--port", "70000"], "port must be between 1 and 65535"),
    (["seed", "--seed", "1e9"], "seed must be a whole number"),
])
def test_bad_argument_is_a_message_and_exit_2(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]):
    """Finding 9: `main.py check --as-of 2022-13-01` printed a traceback; now argparse's usage and a reason."""
    with pytest.raises(SystemExit) as exit_info:
        main.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_good_date_is_normalised():
    args = main.build_parser().parse_args(["check", "--as-of", " 2022-03-01 "])
    assert args.as_of == "2022-03-01"


def test_unexpected_error_is_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]):
    """An exception inside a command: one line naming it, exit 1, and the traceback only on request."""
    def boom(_args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(main, "cmd_migrate", boom)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert main.main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "오류: RuntimeError: disk on fire (자세한 내용은 --traceback 옵션으로 실행)"
    assert main.main(["--lang", "en", "migrate"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "error: RuntimeError: disk on fire (run with --traceback for details)"
    with pytest.raises(RuntimeError):
        main.main(["--traceback", "migrate"])


def test_domain_error_is_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    from core.errors import NotFound

    def missing(_args: object) -> int:
        raise NotFound("program.not_found", program_id=7)

    monkeypatch.setattr(main, "cmd_migrate", missing)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert main.main(["migrate"]) == 2  # Korean by default
    assert capsys.readouterr().err.strip() == "오류: " + NotFound("program.not_found", program_id=7).render("ko")
    assert main.main(["--lang", "en", "migrate"]) == 2
    assert capsys.readouterr().err.strip() == "error: programme 7 does not exist"
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # an English locale
    assert main.main(["migrate"]) == 2
    assert capsys.readouterr().err.strip() == "error: programme 7 does not exist"


def test_real_process_prints_no_traceback(tmp_path: Path):
    """The reproduction, as an operator types it."""
    proc = subprocess.run([sys.executable, "main.py", "check", "--as-of", "2022-13-01"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "is not a date" in proc.stderr
