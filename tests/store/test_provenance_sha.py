"""The commit recorded with every row: from the checkout, or from an exported copy of it.

Studies run from a frozen copy of the code (`git archive`), which has no .git: its rows must
still say which commit produced them, and never the commit of a repository it happens to sit in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.store.provenance import ARCHIVAL, archived_sha, git_sha

ROOT = Path(__file__).resolve().parents[2]


def test_archival_file_gives_the_commit_only_when_substituted(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    (tmp_path / ARCHIVAL).write_text(f"node: {sha}\n")
    assert archived_sha(tmp_path) == sha
    (tmp_path / ARCHIVAL).write_text("node: $Format:%H$\n")  # a checkout's template
    assert archived_sha(tmp_path) == ""
    (tmp_path / ARCHIVAL).write_text("node: not-a-sha\n")
    assert archived_sha(tmp_path) == ""
    assert archived_sha(tmp_path / "missing") == ""


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_an_exported_copy_records_the_commit_it_was_made_from(tmp_path: Path) -> None:
    try:
        head = _git("rev-parse", "HEAD", cwd=ROOT)
        tracked = _git("ls-files", ".gitattributes", ARCHIVAL, cwd=ROOT).split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing to export")
    if sorted(tracked) != sorted([".gitattributes", ARCHIVAL]):
        pytest.skip("the archival files are not committed yet in this checkout")
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tmp_path)], input=archive.stdout, check=True)
    # -P: import the exported package, not the checkout's
    probe = ("import bench.store.provenance as p; print(p.__file__); print(p.git_sha())")
    out = subprocess.run([sys.executable, "-P", "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, check=True, env={"PATH": "/usr/bin:/bin",
                                                     "PYTHONPATH": str(tmp_path)})
    where, sha = out.stdout.split()
    assert Path(where).resolve().is_relative_to(tmp_path.resolve())
    assert sha == head


def test_the_checkout_reports_its_head() -> None:
    try:
        head = _git("rev-parse", "HEAD", cwd=ROOT)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert git_sha() == head
