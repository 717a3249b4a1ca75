"""tokenlab.corpus.extract_archive: safe, all-or-nothing unpacking of tar and zip archives.

Every malicious archive is built here in tmp_path; the tests prove that nothing lands outside
the target and that a refused archive leaves nothing half-written.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from tokenlab import corpus


def tree(folder: Path) -> list[str]:
    """Every path under ``folder`` (relative, sorted); links are listed, not followed."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def add_file(tf: tarfile.TarFile, name: str, data: bytes = b"x") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


def make_tar(path: Path, members: list[tuple[str, str, bytes | str]], mode: str = "w:gz"
             ) -> Path:
    """members: (kind, name, data-or-linkname); kind in file, dir, sym, hard, fifo, chr."""
    with tarfile.open(path, mode) as tf:
        for kind, name, data in members:
            if kind == "file":
                assert isinstance(data, bytes)
                add_file(tf, name, data)
                continue
            info = tarfile.TarInfo(name)
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE,
                         "hard": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE,
                         "chr": tarfile.CHRTYPE}[kind]
            if kind in ("sym", "hard"):
                assert isinstance(data, str)
                info.linkname = data
            tf.addfile(info)
    return path


def make_zip(path: Path, members: list[tuple[str, bytes, int | None]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


@pytest.fixture
def sandbox(tmp_path):
    """tmp_path/work/ holds archives and the target; tmp_path/outside must stay empty."""
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "outside").mkdir()
    return work


def assert_untouched(sandbox: Path, target: Path, archive: Path) -> None:
    assert not target.exists(), "a refused archive leaves no target"
    assert [p.name for p in sandbox.iterdir()] == [archive.name], "and no temporary folder"
    assert tree(sandbox.parent / "outside") == []
    assert sorted(p.name for p in sandbox.parent.iterdir()) == ["outside", "work"]


GOOD = [("dir", "aclImdb", b""), ("file", "aclImdb/train/pos/0_9.txt", b"Great."),
        ("file", "aclImdb/train/neg/0_1.txt", "Bad\u2028film.".encode()),
        ("file", "./aclImdb/README", b"read me")]


@pytest.mark.parametrize("mode,suffix", [("w:gz", ".tar.gz"), ("w", ".tar"), ("w:bz2", ".tbz")])
def test_tar_extracts_and_returns_files(sandbox, mode, suffix):
    archive = make_tar(sandbox / f"a{suffix}", GOOD, mode)
    target = sandbox / "out"
    files = corpus.extract_archive(archive, target)
    assert files == [target / "aclImdb/train/pos/0_9.txt", target / "aclImdb/train/neg/0_1.txt",
                     target / "aclImdb/README"]
    assert (target / "aclImdb/train/neg/0_1.txt").read_text(encoding="utf-8") == "Bad\u2028film."
    assert sorted(p.name for p in sandbox.iterdir()) == [archive.name, "out"]


def test_zip_extracts_and_returns_files(sandbox):
    archive = make_zip(sandbox / "a.zip", [("docs/", b"", None), ("docs/pos/1.txt", b"ok", None),
                                           ("docs/neg/2.txt", b"no", 0o100644)])
    files = corpus.extract_archive(str(archive), str(sandbox / "out"))
    assert [p.relative_to(sandbox / "out").as_posix() for p in files] == ["docs/pos/1.txt",
                                                                         "docs/neg/2.txt"]
    assert files[1].read_bytes() == b"no"


def test_extract_into_an_existing_folder_moves_top_level_entries(sandbox):
    archive = make_tar(sandbox / "a.tar.gz", GOOD)
    corpus.extract_archive(archive, sandbox)  # the folder holding the archive, like aclImdb's
    assert (sandbox / "aclImdb/train/pos/0_9.txt").read_bytes() == b"Great."
    assert sorted(p.name for p in sandbox.iterdir()) == ["a.tar.gz", "aclImdb"]
    with pytest.raises(ValueError, match="already holds.*aclImdb"):
        corpus.extract_archive(archive, sandbox)
    assert sorted(p.name for p in sandbox.iterdir()) == ["a.tar.gz", "aclImdb"]


BAD_TAR = [
    ("absolute", [("file", "/tmp/evil.txt", b"x")], "/tmp/evil.txt"),
    ("dotdot", [("file", "../outside/evil.txt", b"x")], "../outside/evil.txt"),
    ("dotdot_inner", [("file", "a/../../outside/evil.txt", b"x")], "a/../../outside/evil.txt"),
    ("backslash", [("file", "a\\..\\..\\outside\\evil.txt", b"x")], "evil.txt"),
    ("symlink", [("sym", "a/link", "../../outside"), ("file", "a/link/evil.txt", b"x")],
     "a/link"),
    ("hardlink", [("file", "ok.txt", b"x"), ("hard", "evil", "../outside/x")], "evil"),
    ("fifo", [("fifo", "pipe", b"")], "pipe"),
    ("device", [("chr", "dev/null", b"")], "dev/null"),
    ("late", [("file", "fine/1.txt", b"x" * 10_000), ("file", "../outside/late.txt", b"x")],
     "late.txt"),
]


@pytest.mark.parametrize("name,members,named", BAD_TAR, ids=[b[0] for b in BAD_TAR])
def test_malicious_tar_is_refused_and_leaves_nothing(sandbox, name, members, named):
    archive = make_tar(sandbox / "evil.tar.gz", members)
    target = sandbox / "out"
    with pytest.raises(ValueError) as err:
        corpus.extract_archive(archive, target)
    assert named in str(err.value) and "refused" in str(err.value)
    assert_untouched(sandbox, target, archive)


BAD_ZIP = [
    ("absolute", [("/tmp/evil.txt", b"x", None)], "/tmp/evil.txt"),
    ("drive", [("C:/evil.txt", b"x", None)], "C:/evil.txt"),
    ("dotdot", [("ok.txt", b"x", None), ("../outside/evil.txt", b"x", None)],
     "../outside/evil.txt"),
    ("symlink", [("link", b"../outside", stat.S_IFLNK | 0o777)], "link"),
    ("fifo", [("pipe", b"", stat.S_IFIFO | 0o644)], "pipe"),
]


@pytest.mark.parametrize("name,members,named", BAD_ZIP, ids=[b[0] for b in BAD_ZIP])
def test_malicious_zip_is_refused_and_leaves_nothing(sandbox, name, members, named):
    archive = make_zip(sandbox / "evil.zip", members)
    target = sandbox / "out"
    with pytest.raises(ValueError) as err:
        corpus.extract_archive(archive, target)
    assert named in str(err.value)
    assert_untouched(sandbox, target, archive)


def test_a_failure_midway_leaves_nothing_half_written(sandbox, monkeypatch):
    archive = make_tar(sandbox / "a.tar.gz", GOOD)
    real = corpus._write_member
    calls = []

    def flaky(dest, source):
        calls.append(dest)
        if len(calls) == 2:
            raise OSError("disk full")
        real(dest, source)

    monkeypatch.setattr(corpus, "_write_member", flaky)
    with pytest.raises(OSError, match="disk full"):
        corpus.extract_archive(archive, sandbox / "out")
    assert_untouched(sandbox, sandbox / "out", archive)


def test_bad_arguments(sandbox):
    text = sandbox / "plain.txt"
    text.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="archive must be"):
        corpus.extract_archive(text, sandbox / "out")
    with pytest.raises(ValueError, match="archive must be a file"):
        corpus.extract_archive(sandbox / "missing.tar", sandbox / "out")
    with pytest.raises(ValueError, match="target must be a folder"):
        corpus.extract_archive(make_tar(sandbox / "a.tar", GOOD, "w"), text)
    with pytest.raises(TypeError, match="archive"):
        corpus.extract_archive(3, sandbox)  # type: ignore[arg-type]
    assert not (sandbox / "out").exists()
    assert os.listdir(sandbox.parent / "outside") == []
