"""Real corpora on disk: a registry, a checked download cache, and readers.

Every real corpus the book uses comes through this module. Each one is registered in
:data:`CORPORA` with its files, where to download them and the checksums a file must have.
:func:`path` finds a file under :func:`data_dir` (downloading it when it is missing) and
verifies it; :func:`load` reads it into ``(text, label)`` records::

    >>> from tokenlab import corpus
    >>> sorted(corpus.CORPORA)
    ['nsmc', 'sentiment-sentences', 'tinyshakespeare']
    >>> corpus.CORPORA["nsmc"].licence
    'CC0 1.0'

Where the files live
--------------------
``TOKENLAB_DATA`` (if set) names the data folder; otherwise it is the user's cache folder
(``platformdirs.user_cache_dir("tokenlab")``). A corpus's files are in ``<data dir>/<name>/``.
CI and offline builds set ``TOKENLAB_DATA`` to a folder that already holds the files (the
project's ``../shared/corpora``); set ``TOKENLAB_OFFLINE=1`` to forbid downloads altogether.

A file is accepted when its SHA-256 is one of the registered ones, or when its git blob id
(the SHA-1 of ``b"blob <size>\\0" + content``, what GitHub stores) matches the upstream file.
Verification is cached in-process per (path, size, modification time), so loading a corpus
twice hashes it once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "CORPORA",
    "CorpusFile",
    "CorpusInfo",
    "CorpusUnavailableError",
    "data_dir",
    "path",
    "load",
]

Layout = Literal["tsv", "lines_tab", "text"]
_LAYOUTS = ("tsv", "lines_tab", "text")
_CHUNK = 1 << 20
_TIMEOUT_S = 60


class CorpusUnavailableError(RuntimeError):
    """A corpus file is not on disk and could not be downloaded (offline, or no known URL)."""


@dataclass(frozen=True)
class CorpusFile:
    """One file of a corpus and the checksums that make it acceptable.

    Parameters
    ----------
    name : str
        The file name inside the corpus folder.
    url : str or None
        Where to download it; ``None`` when no stable address is known (then the file must
        already be in the data folder).
    sha256s : tuple of str
        Accepted SHA-256 hex digests (lower case).
    git_blob : str or None
        The upstream git blob id (SHA-1 of ``b"blob <size>\\0" + content``), also accepted.

    Examples
    --------
    >>> f = CorpusFile("a.txt", None, ("0" * 64,))
    >>> f.git_blob is None
    True
    """

    name: str
    url: str | None
    sha256s: tuple[str, ...]
    git_blob: str | None = None


@dataclass(frozen=True)
class CorpusInfo:
    """A registered corpus: what it is, its licence, its on-disk layout and its files.

    Parameters
    ----------
    name : str
        The registry key and the folder name under :func:`data_dir`.
    description : str
        One line for readers.
    licence : str
        The licence of the text.
    layout : {"tsv", "lines_tab", "text"}
        ``"tsv"``: a header ``id\\tdocument\\tlabel`` then one record per line;
        ``"lines_tab"``: ``sentence\\tscore`` per line; ``"text"``: plain text whose records
        are blocks separated by blank lines (label ``None``).
    files : tuple of CorpusFile
        Every file of the corpus.
    splits : dict of str to tuple of str
        Split name -> the file names that make it (empty when the corpus has no splits).
    default_split : str or None
        The split :func:`load` reads when given ``split=None``; ``None`` means every file.

    Examples
    --------
    >>> info = CORPORA["sentiment-sentences"]
    >>> info.layout, sorted(info.splits)
    ('lines_tab', ['amazon', 'imdb', 'yelp'])
    """

    name: str
    description: str
    licence: str
    layout: Layout
    files: tuple[CorpusFile, ...]
    splits: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    default_split: str | None = None

    def __post_init__(self) -> None:
        if self.layout not in _LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(map(repr, _LAYOUTS))}, "
                             f"got {self.layout!r}")
        if not self.files:
            raise ValueError(f"files of corpus {self.name!r} must not be empty")
        names = {f.name for f in self.files}
        for split, files in self.splits.items():
            unknown = [f for f in files if f not in names]
            if unknown:
                raise ValueError(f"splits[{split!r}] of corpus {self.name!r} names files "
                                 f"that are not in files: {unknown}")
        if self.default_split is not None and self.default_split not in self.splits:
            raise ValueError(f"default_split of corpus {self.name!r} must be one of its "
                             f"splits, got {self.default_split!r}")

    def file(self, name: str) -> CorpusFile:
        """The registered file called ``name`` (ValueError naming the known files if none).

        Examples
        --------
        >>> CORPORA["tinyshakespeare"].file("input.txt").git_blob[:7]
        '7dcb3a2'
        """
        for f in self.files:
            if f.name == name:
                return f
        known = ", ".join(f.name for f in self.files)
        raise ValueError(f"file must be one of the files of corpus {self.name!r} ({known}), "
                         f"got {name!r}")


_NSMC_URL = "https://raw.githubusercontent.com/e9t/nsmc/master/"
_CHAR_RNN_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)

#: Every corpus :func:`path` and :func:`load` know, by name.
CORPORA: dict[str, CorpusInfo] = {
    "nsmc": CorpusInfo(
        name="nsmc",
        description="Naver sentiment movie corpus: 200,000 Korean movie reviews labelled "
        "0 (negative) or 1 (positive), 150,000 train / 50,000 test",
        licence="CC0 1.0",
        layout="tsv",
        files=(
            CorpusFile(
                "ratings_train.txt",
                _NSMC_URL + "ratings_train.txt",
                ("04725980853412a46e1e4de871fed83cdd4675d8bc3046774daba28d7fcdb6cf",),
                "ac0dba272895dc1d0b3dd5f11afbeaeb7abe7876",
            ),
            CorpusFile(
                "ratings_test.txt",
                _NSMC_URL + "ratings_test.txt",
                ("beddb77af64669424589b4050911863ec5e8f9dda07e8c8b18df6f436d3c2d70",),
                "b6cfcd8cd1557bcd9bf06617b0e429ed73e9a367",
            ),
        ),
        splits={"train": ("ratings_train.txt",), "test": ("ratings_test.txt",)},
        default_split="train",
    ),
    "tinyshakespeare": CorpusInfo(
        name="tinyshakespeare",
        description="1.1 MB of Shakespeare's plays (karpathy/char-rnn), speeches separated "
        "by blank lines",
        licence="public domain text (repository: MIT)",
        layout="text",
        files=(
            CorpusFile(
                "input.txt",
                _CHAR_RNN_URL,
                ("86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",),
                "7dcb3a2d4cc3b48b6283dd46870bfeb78f88aac9",
            ),
        ),
    ),
    "sentiment-sentences": CorpusInfo(
        name="sentiment-sentences",
        description="Sentiment Labelled Sentences (Kotzias et al., KDD 2015): 1,000 English "
        "review sentences each from imdb, amazon and yelp, labelled 0 or 1",
        licence="CC BY 4.0",
        layout="lines_tab",
        files=(
            CorpusFile(
                "imdb_labelled.txt",
                None,
                ("aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d",),
            ),
            CorpusFile(
                "amazon_cells_labelled.txt",
                None,
                ("47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3",),
            ),
            CorpusFile(
                "yelp_labelled.txt",
                None,
                ("891088b9c7235e23fe2814285972f2df823fdc9ff37bf1e1904c7e8ae1001fbb",),
            ),
        ),
        splits={
            "imdb": ("imdb_labelled.txt",),
            "amazon": ("amazon_cells_labelled.txt",),
            "yelp": ("yelp_labelled.txt",),
        },
    ),
}

# (resolved path, size, mtime_ns, CorpusFile) of every file verified in this process.
_VERIFIED: set[tuple[str, int, int, CorpusFile]] = set()


def data_dir() -> Path:
    """The folder that holds every corpus: ``$TOKENLAB_DATA``, else the user's cache folder.

    The folder is not created here; :func:`path` creates it when it downloads.

    Returns
    -------
    Path
        ``Path($TOKENLAB_DATA)`` (``~`` expanded) when the variable is set and non-empty,
        otherwise ``platformdirs.user_cache_dir("tokenlab")``.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"TOKENLAB_DATA": "/data/corpora"}):
    ...     print(data_dir().as_posix())
    /data/corpora
    >>> with mock.patch.dict(os.environ, {"TOKENLAB_DATA": ""}):  # empty or unset: the cache
    ...     print("tokenlab" in data_dir().parts)
    True
    """
    env = os.environ.get("TOKENLAB_DATA", "")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("tokenlab"))


def _info(name: object) -> CorpusInfo:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    try:
        return CORPORA[name]
    except KeyError:
        known = ", ".join(sorted(CORPORA))
        raise ValueError(f"name must be a known corpus ({known}), got {name!r}") from None


def _digests(file: Path, size: int) -> tuple[str, str]:
    """SHA-256 and git blob id of ``file`` in one pass."""
    sha256 = hashlib.sha256()
    blob = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    with open(file, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha256.update(chunk)
            blob.update(chunk)
    return sha256.hexdigest(), blob.hexdigest()


def _accepted(spec: CorpusFile, sha256: str, blob: str) -> bool:
    return sha256 in spec.sha256s or (spec.git_blob is not None and blob == spec.git_blob)


def _expected(spec: CorpusFile) -> str:
    parts = [f"sha256 {s}" for s in spec.sha256s]
    if spec.git_blob:
        parts.append(f"git blob {spec.git_blob}")
    return " or ".join(parts)


def _stat_key(file: Path, spec: CorpusFile) -> tuple[str, int, int, CorpusFile]:
    st = file.stat()
    return (str(file.resolve()), st.st_size, st.st_mtime_ns, spec)


def _mismatch(what: str, spec: CorpusFile, sha256: str, blob: str) -> ValueError:
    return ValueError(
        f"{what} has the wrong checksum: expected {_expected(spec)}, "
        f"got sha256 {sha256} (git blob {blob})"
    )


def _verify(file: Path, spec: CorpusFile, what: str) -> None:
    """Raise ValueError unless ``file`` has one of ``spec``'s checksums (cached per stat)."""
    key = _stat_key(file, spec)
    if key in _VERIFIED:
        return
    sha256, blob = _digests(file, key[1])
    if not _accepted(spec, sha256, blob):
        raise _mismatch(what, spec, sha256, blob)
    _VERIFIED.add(key)


def _where_to_put(info: CorpusInfo, target_dir: Path) -> str:
    names = ", ".join(f.name for f in info.files)
    return (
        f"Put the file(s) {names} in {target_dir}, or set the environment variable "
        f"TOKENLAB_DATA to a folder that has a {info.name}/ subfolder holding them."
    )


def _download(info: CorpusInfo, spec: CorpusFile, target: Path) -> None:
    """Download ``spec`` to ``target`` through a temporary file, verified, then renamed."""
    if spec.url is None:
        raise CorpusUnavailableError(
            f"corpus {info.name!r}: {target} is missing, and no stable download address is "
            f"known for {spec.name}, so it is only available from a local data folder. "
            + _where_to_put(info, target.parent)
        )
    if os.environ.get("TOKENLAB_OFFLINE", "").lower() not in ("", "0", "false"):
        raise CorpusUnavailableError(
            f"corpus {info.name!r}: {target} is missing and downloads are off "
            f"(TOKENLAB_OFFLINE is set). Download {spec.url} by hand. "
            + _where_to_put(info, target.parent)
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part",
                                        dir=target.parent)
    except OSError as err:
        raise CorpusUnavailableError(
            f"corpus {info.name!r}: {target} is missing and cannot be downloaded into "
            f"{target.parent} ({err}). " + _where_to_put(info, target.parent)
        ) from err
    tmp = Path(tmp_name)
    try:
        size = 0
        sha256 = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(
                spec.url, timeout=_TIMEOUT_S
            ) as response:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    sha256.update(chunk)
                    size += len(chunk)
        except (urllib.error.URLError, OSError) as err:
            raise CorpusUnavailableError(
                f"corpus {info.name!r}: {target} is missing and could not be downloaded "
                f"from {spec.url} ({err}). Download it by hand, or copy it from a machine "
                "that has it. " + _where_to_put(info, target.parent)
            ) from err
        digest = sha256.hexdigest()
        blob = digest if digest in spec.sha256s else _digests(tmp, size)[1]
        if not _accepted(spec, digest, blob):
            raise _mismatch(f"corpus {info.name!r}: the download of {spec.url} "
                            f"(deleted, not saved to {target})", spec, digest, blob)
        os.replace(tmp, target)
        _VERIFIED.add(_stat_key(target, spec))
    finally:
        tmp.unlink(missing_ok=True)


def path(name: str, file: str | None = None) -> Path:
    """The verified local path of a corpus file, downloaded first if it is missing.

    Parameters
    ----------
    name : str
        A corpus in :data:`CORPORA`.
    file : str, optional
        One of the corpus's file names. Without it, a one-file corpus gives that file and a
        corpus of several files gives its folder, after every file in it is checked.

    Returns
    -------
    Path
        ``<data dir>/<name>/<file>`` (or ``<data dir>/<name>``).

    Raises
    ------
    TypeError
        If ``name`` or ``file`` is not a str.
    ValueError
        If ``name`` or ``file`` is unknown, or a file's checksum is wrong (a download with
        a wrong checksum is deleted; a file that was already there is left for you to look at).
    CorpusUnavailableError
        If a file is missing and cannot be downloaded; the message says where to put it.

    Examples
    --------
    >>> import os
    >>> if not os.environ.get("TOKENLAB_DATA"):  # the project's offline copies
    ...     os.environ["TOKENLAB_DATA"] = "../shared/corpora"
    >>> p = path("tinyshakespeare")
    >>> p.name, p.parent.name, p.stat().st_size
    ('input.txt', 'tinyshakespeare', 1115394)
    """
    info = _info(name)
    folder = data_dir() / info.name
    if file is None:
        if len(info.files) == 1:
            return path(name, info.files[0].name)
        for spec in info.files:
            path(name, spec.name)
        return folder
    if not isinstance(file, str):
        raise TypeError(f"file must be a str or None, got {type(file).__name__}")
    spec = info.file(file)
    target = folder / spec.name
    if not target.is_file():
        _download(info, spec, target)
    _verify(target, spec, f"corpus {info.name!r}: the file {target}")
    return target


def _read_lines(file: Path) -> list[str]:
    """Lines split on ``\\n`` only (never on U+0085 or U+2028), ``\\r`` ends stripped."""
    text = file.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _label(value: str, file: Path, lineno: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{file}, line {lineno}: the label must be an integer, "
                         f"got {value!r}") from None


def _read_tsv(file: Path) -> list[tuple[str, int | None]]:
    lines = _read_lines(file)
    if not lines or lines[0] != "id\tdocument\tlabel":
        head = lines[0] if lines else ""
        raise ValueError(f"{file}: expected the header 'id\\tdocument\\tlabel', got {head!r}")
    records: list[tuple[str, int | None]] = []
    for lineno, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) < 3:
            raise ValueError(f"{file}, line {lineno}: expected 3 tab-separated fields, "
                             f"got {len(parts)}")
        document = "\t".join(parts[1:-1])
        records.append((document, _label(parts[-1], file, lineno)))
    return records


def _read_lines_tab(file: Path) -> list[tuple[str, int | None]]:
    records: list[tuple[str, int | None]] = []
    for lineno, line in enumerate(_read_lines(file), start=1):
        if not line.strip(" \t"):
            continue
        text, sep, score = line.rpartition("\t")
        if not sep:
            raise ValueError(f"{file}, line {lineno}: expected 'sentence\\tscore', "
                             f"got {line[:60]!r}")
        records.append((text.strip(" "), _label(score.strip(), file, lineno)))
    return records


_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _read_text(file: Path) -> list[tuple[str, int | None]]:
    text = "\n".join(_read_lines(file))
    return [(block, None) for block in _BLANK_LINES.split(text.strip("\n")) if block.strip()]


_READERS = {"tsv": _read_tsv, "lines_tab": _read_lines_tab, "text": _read_text}


def load(name: str, split: str | None = None) -> list[tuple[str, int | None]]:
    """Read a corpus (or one split of it) as ``(text, label)`` records, in file order.

    ``nsmc``: split ``"train"`` (the default) or ``"test"``; label 0 or 1.
    ``sentiment-sentences``: split ``"imdb"``, ``"amazon"``, ``"yelp"``, or ``None`` for all
    three in that order; label 0 or 1; sentences are stripped of the spaces before the tab.
    ``tinyshakespeare``: no splits; one record per speech (blocks separated by blank lines),
    label ``None``.

    Lines are split on ``"\\n"`` only: ``str.splitlines`` would also split on U+0085 and
    U+2028, which occur inside sentences of real corpora.

    Parameters
    ----------
    name : str
        A corpus in :data:`CORPORA`.
    split : str, optional
        A split of that corpus (see above).

    Returns
    -------
    list of (str, int or None)
        The records.

    Raises
    ------
    ValueError
        If ``name`` or ``split`` is unknown, or a file is malformed or fails its checksum.
    CorpusUnavailableError
        If a file is missing and cannot be downloaded.

    Examples
    --------
    >>> import os
    >>> if not os.environ.get("TOKENLAB_DATA"):  # the project's offline copies
    ...     os.environ["TOKENLAB_DATA"] = "../shared/corpora"
    >>> speeches = load("tinyshakespeare")
    >>> len(speeches), speeches[0][0].splitlines()[0], speeches[0][1]
    (7222, 'First Citizen:', None)
    >>> load("sentiment-sentences", split="yelp")[0]
    ('Wow... Loved this place.', 1)
    """
    info = _info(name)
    if split is not None and not isinstance(split, str):
        raise TypeError(f"split must be a str or None, got {type(split).__name__}")
    if split is None:
        split = info.default_split
    if split is None:
        files = tuple(f.name for f in info.files)
    elif split in info.splits:
        files = info.splits[split]
    else:
        known = ", ".join(map(repr, info.splits)) or "none: pass split=None"
        raise ValueError(f"split must be one of the splits of corpus {info.name!r} "
                         f"({known}), got {split!r}")
    reader = _READERS[info.layout]
    records: list[tuple[str, int | None]] = []
    for file in files:
        records.extend(reader(path(info.name, file)))
    return records
