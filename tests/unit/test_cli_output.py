"""Files the commands write: refused before the work when they cannot be written, and
written whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from effekt.cli import main
from effekt.cli.output import write_output
from effekt.errors import OutputError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEM = str(EXAMPLES / "hemmasittare.toml")

# every command that writes a file, with the option (or argument) naming it
WRITERS = [
    pytest.param(["model", HEM, "--xlsx"], id="model --xlsx"),
    pytest.param(["feasibility", HEM, "--html"], id="feasibility --html"),
    pytest.param(["sensitivity", HEM, "--paths", "16", "--chart"], id="sensitivity --chart"),
    pytest.param(["init", "--force"], id="init FILE"),
]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_text_and_bytes_are_written_whole(tmp_path: Path) -> None:
    write_output(tmp_path / "a.html", "<p>åäö</p>")
    write_output(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "<p>åäö</p>"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


def test_overwriting_keeps_the_old_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old")
    target.chmod(0o640)
    write_output(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_umask_default_not_the_temporary_files_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_output(tmp_path / "new.svg", "<svg/>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.svg").stat().st_mode) == 0o644


def test_a_symbolic_link_is_written_through_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("the verified report")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as err:
        write_output(target, "x" * 100_000)
    assert target.read_text() == "the verified report"
    assert leftovers(tmp_path) == []
    assert err.value.render("en") == (
        f"Could not write {target}: the disk is full. Any earlier version of the file is untouched."
    )
    assert "disken är full" in err.value.render("sv")


def test_an_interrupt_in_the_middle_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "case.xlsx"
    target.write_bytes(b"old workbook")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(target, b"new workbook")
    assert target.read_bytes() == b"old workbook"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", WRITERS)
def test_an_output_in_a_missing_folder_is_a_usage_error_naming_the_folder(
    command: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder"
    result = run(*command, str(missing / "out.file"), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert f"the folder {missing} does not exist." in result.output
    assert "Traceback" not in result.output
    assert not missing.exists()


@pytest.mark.parametrize("command", WRITERS)
def test_an_output_that_is_a_folder_is_refused_in_swedish(
    command: list[str], tmp_path: Path
) -> None:
    result = run(*command, str(tmp_path), "--lang", "sv")
    assert result.exit_code == 2, result.output
    assert f"{tmp_path} är en mapp, inte en fil." in result.output
    assert result.output.splitlines()[0].startswith("Användning:")


@pytest.mark.parametrize(
    ("command", "name", "expected"),
    [
        (["sensitivity", HEM, "--chart"], "tornado.png", ".svg"),
        (["model", HEM, "--xlsx"], "case.xls", ".xlsx"),
        (["feasibility", HEM, "--html"], "study.pdf", ".html / .htm"),
        (["init"], "contract.yaml", ".toml"),
    ],
)
def test_a_name_that_does_not_fit_the_format_written_is_refused(
    command: list[str], name: str, expected: str, tmp_path: Path
) -> None:
    target = tmp_path / name
    result = run(*command, str(target), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert f"{target}: the name must end in {expected}, the format written here." in result.output
    assert not target.exists()


def test_a_write_protected_file_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "case.xlsx"
    target.write_bytes(b"kept")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == target else real_access(p, mode)
    )
    result = run("model", HEM, "--xlsx", str(target), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert f"{target} is write-protected." in result.output
    assert target.read_bytes() == b"kept"


def test_a_failed_write_exits_1_and_keeps_the_old_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "case.xlsx"
    target.write_bytes(b"kept")

    def denied(*_: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", denied)
    result = run("model", HEM, "--xlsx", str(target), "--lang", "sv")
    assert result.exit_code == 1, result.output
    assert f"Kunde inte skriva {target}: behörighet saknas." in result.output
    assert target.read_bytes() == b"kept"
    assert leftovers(tmp_path) == []


def test_model_writes_a_workbook_that_opens(tmp_path: Path) -> None:
    target = tmp_path / "case.xlsx"
    result = run("model", HEM, "--xlsx", str(target), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert load_workbook(target).sheetnames[0] == "Summary"
    assert leftovers(tmp_path) == []
