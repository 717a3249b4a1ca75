"""Real corpora on disk: a registry, a checked download cache, and readers.

Every real corpus the book uses comes through this module. Each one is registered in
:data:`CORPORA` with its files, where to download them and the checksums a file must have.
:func:`path` finds a file under :func:`data_dir` (downloading it when it is missing) and
verifies it; :func:`load` reads it into ``(text, label)`` records::

    >>> from tokenlab import corpus
    >>> sorted(corpus.CORPORA)
    ['aclImdb', 'nsmc', 'sentiment-sentences', 'tinyshakespeare']
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
twice hashes it once. A file with no recorded checksum is never downloaded nor trusted.

Beyond the registry
-------------------
Lazy readers stream ``(text, label)`` records from any file or folder with bounded memory:
:func:`read_tsv`, :func:`read_folder` (one subfolder per label, the aclImdb layout) and
:func:`read_text`. :func:`split` makes deterministic (optionally stratified) splits,
:func:`dedupe` removes repeated texts, :func:`stats` counts tokens and types and fits Zipf's
and Heaps' laws, :class:`SequenceDataset` and :func:`collate` feed a ``DataLoader``, and
:func:`extract_archive` unpacks a ``.tar(.gz)`` or ``.zip`` safely.
"""

from __future__ import annotations

import codecs
import math
import os
import random
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

import numpy as np
import torch
import torch.utils.data

from . import _registry
from ._registry import RemoteFile
from .text import standardize, word_tokens
from .vectorize import TextVectorizer

__all__ = [
    "CORPORA",
    "CorpusFile",
    "CorpusInfo",
    "CorpusUnavailableError",
    "data_dir",
    "path",
    "load",
    "read_tsv",
    "read_folder",
    "read_text",
    "split",
    "dedupe",
    "Deduped",
    "stats",
    "CorpusStats",
    "SequenceDataset",
    "collate",
    "extract_archive",
]

Layout = Literal["tsv", "lines_tab", "text", "folder"]
_LAYOUTS = ("tsv", "lines_tab", "text", "folder")
#: A record: the text and its label (an int, a str such as ``"pos"``, or ``None``).
Record = tuple[str, int | str | None]
_CHUNK = 1 << 20


class CorpusUnavailableError(RuntimeError):
    """A corpus file is not on disk and could not be downloaded (offline, or no known URL)."""


class CorpusFile(RemoteFile):
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
    layout : {"tsv", "lines_tab", "text", "folder"}
        ``"tsv"``: a header ``id\\tdocument\\tlabel`` then one record per line;
        ``"lines_tab"``: ``sentence\\tscore`` per line; ``"text"``: plain text whose records
        are blocks separated by blank lines (label ``None``); ``"folder"``: an archive that
        unpacks to ``<folder>/<split>/<label>/*.txt`` (see :func:`read_folder`).
    files : tuple of CorpusFile
        Every file of the corpus (for ``"folder"``: the archive).
    splits : dict of str to tuple of str
        Split name -> the file names that make it (empty when the corpus has no splits).
    default_split : str or None
        The split :func:`load` reads when given ``split=None``; ``None`` means every file.
    folder : str or None
        ``"folder"`` layout only (and required there): the top folder the archive unpacks to,
        inside ``<data dir>/<name>/``.
    labels : tuple of str
        ``"folder"`` layout only: the label subfolders to read, in order (empty: all).

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
    folder: str | None = None
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.layout not in _LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(map(repr, _LAYOUTS))}, "
                             f"got {self.layout!r}")
        if (self.layout == "folder") != (self.folder is not None):
            raise ValueError(f"folder of corpus {self.name!r} must be given for the 'folder' "
                             f"layout and only for it, got {self.folder!r}")
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
_ACLIMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
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
    "aclImdb": CorpusInfo(
        name="aclImdb",
        description="Large Movie Review Dataset v1.0 (Maas et al., ACL 2011): 50,000 English "
        "IMDb reviews labelled 'neg' or 'pos', 25,000 train / 25,000 test (the 50,000 "
        "unlabelled 'unsup' reviews are skipped). The archive's SHA-256 is the one several "
        "independent projects record for it (Julia's MLDatasets among them); this registry "
        "has not downloaded it itself",
        licence="no licence stated by the authors (cite Maas et al., 2011)",
        layout="folder",
        files=(CorpusFile(
            "aclImdb_v1.tar.gz", _ACLIMDB_URL,
            ("c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",),
        ),),
        splits={"train": ("aclImdb_v1.tar.gz",), "test": ("aclImdb_v1.tar.gz",)},
        default_split="train",
        folder="aclImdb",
        labels=("neg", "pos"),
    ),
}

# The checks and downloads are shared with tokenlab.models (tokenlab._registry).
_STORE = _registry.Store("corpus", "TOKENLAB_DATA", CorpusUnavailableError)
# (resolved path, size, mtime_ns, file) of every file verified in this process.
_VERIFIED = _registry.VERIFIED
_digests = _registry.digests


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
    return _STORE.root()


def _info(name: object) -> CorpusInfo:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    try:
        return CORPORA[name]
    except KeyError:
        known = ", ".join(sorted(CORPORA))
        raise ValueError(f"name must be a known corpus ({known}), got {name!r}") from None


def _unpack_hint(info: CorpusInfo) -> str:
    if info.layout != "folder":
        return ""
    folder = data_dir() / info.name
    name = info.files[0].name
    return (f" and unpack it into {folder} (for example `tar xzf {name} -C {folder}`), so "
            f"that {folder / str(info.folder)} holds the split folders")


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
        If a file is missing and cannot be downloaded, or has no recorded checksum (then it
        is never downloaded nor trusted); the message says where to put it.

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
    return _STORE.fetch(info.name, info.files, spec, unpack=_unpack_hint(info),
                        digest=_digests)


# ---- lazy readers ------------------------------------------------------------------------------


def _check_path(value: object, name: str) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(value).__name__}")
    return Path(value)


def _check_encoding(encoding: object) -> str:
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str, got {type(encoding).__name__}")
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"encoding must be a known codec, got {encoding!r}") from None


def _bad_byte_offset(file: Path, encoding: str) -> int | None:
    """The byte offset of the first byte of ``file`` that ``encoding`` cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    base = 0
    with open(file, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as err:
                return base - pending + err.start
            if not chunk:
                return None
            base += len(chunk)


def _decode_error(file: Path, encoding: str, err: UnicodeDecodeError) -> ValueError:
    offset = _bad_byte_offset(file, encoding)
    where = f"byte offset {offset}" if offset is not None else "an unknown offset"
    return ValueError(f"{file} is not valid {encoding}: the first bad byte is at {where} "
                      f"({err.reason}); pass the file's real encoding as encoding=")


def _lines(file: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)``: split on ``\\n`` only, ``\\r`` ends and a first BOM dropped.

    Streams the file; a decoding error becomes a ValueError naming the bad byte's offset.
    """
    try:
        with open(file, encoding=encoding, newline="\n") as fh:
            for lineno, line in enumerate(fh, start=1):
                if line.endswith("\n"):
                    line = line[:-1]
                if line.endswith("\r"):
                    line = line[:-1]
                if lineno == 1 and line.startswith("\ufeff"):
                    line = line[1:]
                yield lineno, line
    except UnicodeDecodeError as err:
        raise _decode_error(file, encoding, err) from None


def _parse_label(value: str) -> int | str:
    return int(value) if value.isascii() and value.isdigit() else value


def _tsv(file: Path, text_column: str, label_column: str | None, encoding: str,
         required: Sequence[str]) -> Iterator[tuple[int, str, int | str | None]]:
    lines = _lines(file, encoding)
    first = next(lines, None)
    header = first[1].split("\t") if first is not None else []
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(f"{file}: the header must name the columns {list(required)}, "
                         f"found the columns {header} (missing {missing})")
    width = len(header)
    ti = header.index(text_column)
    li = header.index(label_column) if label_column is not None else None
    for lineno, line in lines:
        parts = line.split("\t")
        extra = len(parts) - width
        if extra < 0:
            raise ValueError(f"{file}, line {lineno}: expected {width} tab-separated fields, "
                             f"got {len(parts)}")
        # Surplus tabs are taken to belong to the text column.
        text = "\t".join(parts[ti:ti + extra + 1])
        if li is None:
            label: int | str | None = None
        else:
            label = _parse_label(parts[li + extra if li > ti else li])
        yield lineno, text, label


def read_tsv(
    path: str | os.PathLike[str],
    *,
    text_column: str = "document",
    label_column: str | None = "label",
    encoding: str = "utf-8",
) -> Iterator[Record]:
    """Stream ``(text, label)`` records from a tab-separated file with a header line.

    The file is read line by line (bounded memory). Lines are split on ``"\\n"`` only, so a
    U+0085 or U+2028 inside a field stays in its record; a ``"\\r"`` before the ``"\\n"`` and
    a byte-order mark are dropped. A line with more tabs than the header has is taken to
    hold tabs inside the text column.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    text_column : str
        The header name of the text column.
    label_column : str or None
        The header name of the label column; ``None`` gives label ``None`` for every record.
    encoding : str
        The file's encoding.

    Yields
    ------
    (str, int or str or None)
        The text and its label: an int when the label is all digits, else the str.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the header lacks a column (the message names the file, the columns found and the
        ones expected), a line has too few fields, or the file is not valid ``encoding``
        (the message gives the byte offset of the first bad byte).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "reviews.tsv"
    >>> _ = f.write_text("id\\tdocument\\tlabel\\n1\\t좋아요\\t1\\n2\\tso\\x85so\\tmeh\\n",
    ...                  encoding="utf-8")
    >>> list(read_tsv(f))
    [('좋아요', 1), ('so\\x85so', 'meh')]
    """
    file = _check_path(path, "path")
    if not isinstance(text_column, str):
        raise TypeError(f"text_column must be a str, got {type(text_column).__name__}")
    if label_column is not None and not isinstance(label_column, str):
        raise TypeError(f"label_column must be a str or None, "
                        f"got {type(label_column).__name__}")
    enc = _check_encoding(encoding)
    required = [text_column] if label_column is None else [text_column, label_column]
    return ((text, label) for _, text, label in _tsv(file, text_column, label_column, enc,
                                                      required))


def _read_file(file: Path, encoding: str) -> str:
    data = file.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:  # err.start indexes the bytes: the offset itself
        raise ValueError(f"{file} is not valid {encoding}: the first bad byte is at byte "
                         f"offset {err.start} ({err.reason}); pass the file's real "
                         "encoding as encoding=") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_folder(
    root: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    labels: Sequence[str] | None = None,
) -> Iterator[tuple[str, str]]:
    """Stream ``(text, label)`` records from a folder with one subfolder per label.

    The aclImdb layout: each subfolder of ``root`` is a label and each ``*.txt`` file in
    it one document. Label folders come in sorted order (or the order of ``labels``), files
    in sorted order within each; one file is read at a time. Hidden folders (``.name``) and
    files directly in ``root`` are ignored.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding the label folders.
    encoding : str
        The encoding of the documents.
    labels : sequence of str, optional
        Read only these label folders, in this order (aclImdb's ``train/`` also holds an
        ``unsup/`` folder of unlabelled reviews).

    Yields
    ------
    (str, str)
        The document (a leading byte-order mark dropped) and its folder's name.

    Raises
    ------
    ValueError
        If ``root`` is not a folder or holds no label folder, a label folder holds no
        ``*.txt`` file or is missing (each message names the folder), or a document is not
        valid ``encoding`` (the message names the file and the offset of the first bad
        byte).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for label, name, text in [("pos", "1_9.txt", "Great!"), ("neg", "0_2.txt", "Dull."),
    ...                           ("pos", "0_10.txt", "Loved it.")]:
    ...     (root / label).mkdir(exist_ok=True)
    ...     _ = (root / label / name).write_text(text, encoding="utf-8")
    >>> list(read_folder(root))
    [('Dull.', 'neg'), ('Loved it.', 'pos'), ('Great!', 'pos')]
    """
    folder = _check_path(root, "root")
    enc = _check_encoding(encoding)
    if labels is not None:
        if isinstance(labels, str) or not all(isinstance(x, str) for x in labels):
            raise TypeError("labels must be a sequence of str or None")
        labels = list(labels)
    if not folder.is_dir():
        raise ValueError(f"root must be a folder, got {folder} (not a folder)")
    if labels is None:
        label_dirs = sorted(d for d in folder.iterdir()
                            if d.is_dir() and not d.name.startswith("."))
        if not label_dirs:
            raise ValueError(f"root {folder} holds no label folder (expected one subfolder "
                             "per label, each holding *.txt documents)")
    else:
        label_dirs = [folder / name for name in labels]
        for d in label_dirs:
            if not d.is_dir():
                raise ValueError(f"labels names {d.name!r}, but {d} is not a folder")
    return _iter_folder(label_dirs, enc)


def _iter_folder(label_dirs: list[Path], encoding: str) -> Iterator[tuple[str, str]]:
    for d in label_dirs:
        files = sorted(f for f in d.glob("*.txt") if f.is_file())
        if not files:
            raise ValueError(f"the label folder {d} holds no *.txt file")
        for f in files:
            yield _read_file(f, encoding), d.name


_UNITS = ("line", "paragraph", "file")


def read_text(
    path: str | os.PathLike[str],
    *,
    unit: Literal["line", "paragraph", "file"] = "line",
    encoding: str = "utf-8",
) -> Iterator[tuple[str, None]]:
    """Stream ``(text, None)`` records from a plain-text file.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    unit : {"line", "paragraph", "file"}
        ``"line"``: one record per line (split on ``"\\n"`` only, ``"\\r"`` ends dropped),
        blank lines skipped. ``"paragraph"``: one record per block of lines between blank
        (empty or spaces/tabs only) lines, its lines joined by ``"\\n"``. ``"file"``: the
        whole text as one record (the only unit that holds the whole file in memory).
    encoding : str
        The file's encoding.

    Yields
    ------
    (str, None)

    Raises
    ------
    ValueError
        If ``unit`` is unknown, or the file is not valid ``encoding`` (the message names
        the file and the byte offset of the first bad byte).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "play.txt"
    >>> _ = f.write_text("A:\\nHello.\\n\\nB:\\nHi.\\n", encoding="utf-8")
    >>> list(read_text(f, unit="paragraph"))
    [('A:\\nHello.', None), ('B:\\nHi.', None)]
    >>> [text for text, _ in read_text(f)]
    ['A:', 'Hello.', 'B:', 'Hi.']
    """
    file = _check_path(path, "path")
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {', '.join(map(repr, _UNITS))}, got {unit!r}")
    enc = _check_encoding(encoding)
    if unit == "line":
        return ((line, None) for _, line in _lines(file, enc) if line.strip(" \t"))
    if unit == "paragraph":
        return _paragraphs(file, enc)
    return _whole_file(file, enc)


def _paragraphs(file: Path, encoding: str) -> Iterator[tuple[str, None]]:
    block: list[str] = []
    for _, line in _lines(file, encoding):
        if line.strip(" \t"):
            block.append(line)
        elif block:
            yield "\n".join(block), None
            block = []
    if block:
        yield "\n".join(block), None


def _whole_file(file: Path, encoding: str) -> Iterator[tuple[str, None]]:
    yield _read_file(file, encoding), None


# ---- the registry's layouts --------------------------------------------------------------------


def _load_tsv(file: Path) -> Iterator[Record]:
    for lineno, text, label in _tsv(file, "document", "label", "utf-8",
                                    ("id", "document", "label")):
        if not isinstance(label, int):
            raise ValueError(f"{file}, line {lineno}: the label must be an integer, "
                             f"got {label!r}")
        yield text, label


def _load_lines_tab(file: Path) -> Iterator[Record]:
    for lineno, line in _lines(file, "utf-8"):
        if not line.strip(" \t"):
            continue
        text, sep, score = line.rpartition("\t")
        score = score.strip()
        if not sep or not (score.isascii() and score.isdigit()):
            raise ValueError(f"{file}, line {lineno}: expected 'sentence\\tscore' with an "
                             f"integer score, got {line[:60]!r}")
        yield text.strip(" "), int(score)


_READERS: dict[str, Callable[[Path], Iterator[Record]]] = {
    "tsv": _load_tsv,
    "lines_tab": _load_lines_tab,
    "text": lambda file: _paragraphs(file, "utf-8"),
}


def _folder_root(info: CorpusInfo, split: str) -> Path:
    """``<data dir>/<name>/<folder>/<split>``, unpacking a verified archive when needed."""
    base = data_dir() / info.name
    top = base / str(info.folder)
    wanted = top / split
    if wanted.is_dir():
        return wanted
    spec = info.file(info.splits[split][0])
    if not _registry.has_checksum(spec):
        raise CorpusUnavailableError(
            f"corpus {info.name!r}: {wanted} is missing. "
            + str(_STORE.untrusted(info.name, spec, _unpack_hint(info)))
        )
    archive = path(info.name, spec.name)
    if top.exists():
        raise CorpusUnavailableError(
            f"corpus {info.name!r}: {top} exists but has no {split}/ folder; move it away so "
            f"that {archive} can be unpacked again"
        )
    extract_archive(archive, base)
    if not wanted.is_dir():
        raise CorpusUnavailableError(f"corpus {info.name!r}: {archive} did not unpack to "
                                     f"{wanted}")
    return wanted


def load(name: str, split: str | None = None) -> list[Record]:
    """Read a corpus (or one split of it) as ``(text, label)`` records, in file order.

    ``nsmc``: split ``"train"`` (the default) or ``"test"``; label 0 or 1.
    ``sentiment-sentences``: split ``"imdb"``, ``"amazon"``, ``"yelp"``, or ``None`` for all
    three in that order; label 0 or 1; sentences are stripped of the spaces before the tab.
    ``tinyshakespeare``: no splits; one record per speech (blocks separated by blank lines),
    label ``None``.
    ``aclImdb``: split ``"train"`` (the default) or ``"test"``, read with :func:`read_folder`
    from ``<data dir>/aclImdb/aclImdb/<split>/{neg,pos}``; label ``"neg"`` or ``"pos"``.
    No checksum of its archive is recorded, so it is never downloaded: unpack it by hand.

    Lines are split on ``"\\n"`` only: ``str.splitlines`` would also split on U+0085 and
    U+2028, which occur inside sentences of real corpora. The files are streamed by the
    same readers as :func:`read_tsv` and :func:`read_text`.

    Parameters
    ----------
    name : str
        A corpus in :data:`CORPORA`.
    split : str, optional
        A split of that corpus (see above).

    Returns
    -------
    list of (str, int or str or None)
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
    if info.layout == "folder":
        assert split is not None
        return list(read_folder(_folder_root(info, split), labels=info.labels or None))
    reader = _READERS[info.layout]
    records: list[Record] = []
    for file in files:
        records.extend(reader(path(info.name, file)))
    return records


# ---- splits and duplicates ---------------------------------------------------------------------


def _check_records(records: object) -> Iterable[Any]:
    if isinstance(records, str | bytes) or not isinstance(records, Iterable):
        raise TypeError(f"records must be an iterable of (text, label) records, "
                        f"got {type(records).__name__}")
    return records


def _with_texts(records: Iterable[Any]) -> Iterator[tuple[Any, str]]:
    """Each record and its text, checked to be a str (streamed)."""
    for i, record in enumerate(records):
        text = record[0] if isinstance(record, tuple | list) and record else None
        if not isinstance(text, str):
            raise TypeError(f"records[{i}] must be a (text, label) record with a str text, "
                            f"got {record!r}")
        yield record, text


def _allocate(n: int, fractions: Sequence[float]) -> list[int]:
    """Split ``n`` into ``len(fractions)`` whole counts by largest remainder (ties: first)."""
    exact = [n * f for f in fractions]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def split(
    records: Iterable[Any],
    fractions: Sequence[float],
    *,
    seed: int,
    stratify: bool = False,
) -> list[list[Any]]:
    """Shuffle ``records`` with ``seed`` and cut them into parts of the given fractions.

    Every record lands in exactly one part. Part sizes are ``fractions * len(records)``
    rounded by largest remainder, so they add up to ``len(records)``. With ``stratify=True``
    the records of each label (``record[1]``) are shuffled and cut separately, so every part
    has the corpus's label proportions up to rounding (one record per label and part); each
    part is then shuffled again so its labels are interleaved. The same ``seed`` always gives
    the same parts (``random.Random(seed)``); within a part the records are in shuffled order.

    Parameters
    ----------
    records : iterable
        The records (materialized into a list).
    fractions : sequence of float
        Non-negative fractions summing to 1 (within 1e-9), one per part.
    seed : int
        The seed of the shuffle.
    stratify : bool
        Keep the label proportions in every part.

    Returns
    -------
    list of list
        One list of records per fraction.

    Raises
    ------
    TypeError
        If ``seed`` is not an int, ``stratify`` not a bool, or ``records``/``fractions``
        not sequences.
    ValueError
        If ``fractions`` is empty, has a negative or non-finite entry, or does not sum to 1.

    Examples
    --------
    >>> records = [(f"review {i}", i % 2) for i in range(10)]
    >>> train, test = split(records, [0.8, 0.2], seed=0, stratify=True)
    >>> len(train), len(test), sorted(label for _, label in test)
    (8, 2, [0, 1])
    >>> split(records, [0.8, 0.2], seed=0, stratify=True) == [train, test]
    True
    """
    if isinstance(fractions, str | bytes) or not isinstance(fractions, Sequence | np.ndarray):
        raise TypeError(f"fractions must be a sequence of numbers, "
                        f"got {type(fractions).__name__}")
    fracs: list[float] = []
    for i, f in enumerate(fractions):
        if isinstance(f, bool) or not isinstance(f, int | float | np.integer | np.floating):
            raise TypeError(f"fractions[{i}] must be a number, got {type(f).__name__}")
        if not math.isfinite(f) or f < 0:
            raise ValueError(f"fractions[{i}] must be finite and >= 0, got {f!r}")
        fracs.append(float(f))
    if not fracs:
        raise ValueError("fractions must not be empty")
    if abs(math.fsum(fracs) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1 (within 1e-9), got {fracs} "
                         f"summing to {math.fsum(fracs)!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not isinstance(stratify, bool):
        raise TypeError(f"stratify must be a bool, got {type(stratify).__name__}")
    items = list(_check_records(records))
    rng = random.Random(int(seed))
    if not stratify:
        order = list(range(len(items)))
        rng.shuffle(order)
        parts, start = [], 0
        for count in _allocate(len(items), fracs):
            parts.append([items[i] for i in order[start:start + count]])
            start += count
        return parts
    groups: dict[Any, list[int]] = {}
    for i, record in enumerate(items):
        try:
            groups.setdefault(record[1], []).append(i)
        except (TypeError, IndexError):
            raise TypeError(f"records[{i}] must be a (text, label) record with a hashable "
                            f"label to stratify, got {record!r}") from None
    indices: list[list[int]] = [[] for _ in fracs]
    for members in groups.values():  # labels in order of first appearance
        rng.shuffle(members)
        start = 0
        for part, count in zip(indices, _allocate(len(members), fracs), strict=True):
            part.extend(members[start:start + count])
            start += count
    for part in indices:
        rng.shuffle(part)
    return [[items[i] for i in part] for part in indices]


class Deduped(NamedTuple):
    """What :func:`dedupe` returns.

    Attributes
    ----------
    records : list
        The records, each text's first occurrence kept, in their original order.
    removed : int
        How many records were dropped as repeats.
    groups : int
        How many distinct texts occurred more than once.
    """

    records: list[Any]
    removed: int
    groups: int


def dedupe(records: Iterable[Any], *, standardized: bool = False) -> Deduped:
    """Drop records whose text repeats an earlier record's, keeping the first occurrence.

    Parameters
    ----------
    records : iterable of (text, label)
        The records (streamed once).
    standardized : bool
        Compare texts after :func:`tokenlab.text.standardize` (so ``"Great!"`` and
        ``"great"`` match) instead of exactly. The kept records are unchanged.

    Returns
    -------
    Deduped
        ``(records, removed, groups)``.

    Raises
    ------
    TypeError
        If ``records`` is not an iterable of records with a str text.

    Examples
    --------
    >>> docs = [("Great!", 1), ("dull", 0), ("Great!", 0), ("great", 1)]
    >>> dedupe(docs)
    Deduped(records=[('Great!', 1), ('dull', 0), ('great', 1)], removed=1, groups=1)
    >>> dedupe(docs, standardized=True).removed
    2
    """
    if not isinstance(standardized, bool):
        raise TypeError(f"standardized must be a bool, got {type(standardized).__name__}")
    seen: dict[str, int] = {}
    kept: list[Any] = []
    removed = 0
    for record, text in _with_texts(_check_records(records)):
        key = standardize(text) if standardized else text
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            removed += 1
        else:
            kept.append(record)
    groups = sum(1 for n in seen.values() if n > 1)
    return Deduped(kept, removed, groups)


# ---- statistics --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CorpusStats:
    """Counts of a corpus and its Zipf and Heaps fits (see :func:`stats`).

    Attributes
    ----------
    documents, tokens, types : int
        Records, running tokens and distinct tokens.
    lengths : numpy.ndarray
        int64 ``(documents,)``: tokens per document.
    label_counts : dict
        Label -> number of records, in order of first appearance.
    counts : numpy.ndarray
        int64 ``(types,)``: the count of every type, descending (rank r has ``counts[r-1]``).
    zipf_slope, zipf_intercept : float
        ``log10(count) ~ zipf_slope * log10(rank) + zipf_intercept`` (least squares).
    heaps_tokens, heaps_types : numpy.ndarray
        int64: the vocabulary size ``heaps_types[j]`` after the first ``heaps_tokens[j]``
        tokens, at about 200 log-spaced points ending at ``tokens``.
    heaps_k, heaps_beta : float
        ``types ~ heaps_k * tokens ** heaps_beta`` (least squares in log space).
    """

    documents: int
    tokens: int
    types: int
    lengths: np.ndarray
    label_counts: dict[Any, int]
    counts: np.ndarray
    zipf_slope: float
    zipf_intercept: float
    heaps_tokens: np.ndarray
    heaps_types: np.ndarray
    heaps_k: float
    heaps_beta: float


_ZIPF_RANKS = (10, 10_000)
_HEAPS_POINTS = 200


def _default_tokenize(text: str) -> list[str]:
    return word_tokens(standardize(text))


def _line_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and intercept of ``y`` on ``x`` (NaN with under two x values)."""
    if len(x) < 2 or np.all(x == x[0]):
        return math.nan, math.nan
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def stats(
    records: Iterable[Any],
    *,
    tokenize: Callable[[str], Sequence[str]] | None = None,
) -> CorpusStats:
    """Count documents, tokens and types in one pass, and fit Zipf's and Heaps' laws.

    Zipf: the least-squares line of ``log10(count)`` against ``log10(rank)`` over the ranks
    10 to 10,000 (the head and the long tail of hapaxes bend away from a line); when fewer
    than two types have a rank in that range, over every rank. Heaps: the vocabulary size
    after ``n`` tokens is computed exactly at about 200 log-spaced ``n`` from 1 to
    ``tokens`` (fewer for short corpora, whole numbers being distinct), and
    ``log10(types) ~ heaps_beta * log10(tokens) + log10(heaps_k)`` is fitted over them.
    A fit without two distinct points is NaN. Memory grows with the vocabulary and the number
    of documents, never with the text (the records are streamed once).

    Parameters
    ----------
    records : iterable of (text, label)
        The records.
    tokenize : callable, optional
        ``str -> list of str``; by default :func:`tokenlab.text.standardize` then
        :func:`tokenlab.text.word_tokens`.

    Returns
    -------
    CorpusStats

    Raises
    ------
    TypeError
        If ``tokenize`` is not callable or a record has no str text.

    Examples
    --------
    >>> s = stats([("the cat sat on the mat", 1), ("The dog!", 0), ("the end", 1)])
    >>> s.documents, s.tokens, s.types, s.lengths.tolist(), s.label_counts
    (3, 10, 7, [6, 2, 2], {1: 2, 0: 1})
    >>> s.counts.tolist()
    [4, 1, 1, 1, 1, 1, 1]
    >>> s.heaps_tokens[-1].item(), s.heaps_types[-1].item()
    (10, 7)
    """
    if tokenize is None:
        tokenize = _default_tokenize
    elif not callable(tokenize):
        raise TypeError(f"tokenize must be callable or None, got {type(tokenize).__name__}")
    counter: Counter[str] = Counter()
    first_seen: list[int] = []  # the 1-based token position where each type first appears
    lengths: list[int] = []
    labels: dict[Any, int] = {}
    total = 0
    for record, text in _with_texts(_check_records(records)):
        label = record[1] if len(record) > 1 else None
        labels[label] = labels.get(label, 0) + 1
        tokens = tokenize(text)
        for token in tokens:
            total += 1
            if token not in counter:
                first_seen.append(total)
            counter[token] += 1
        lengths.append(len(tokens))
    counts = np.array(sorted(counter.values(), reverse=True), dtype=np.int64)
    ranks = np.arange(1, len(counts) + 1)
    lo, hi = _ZIPF_RANKS
    window = (ranks >= lo) & (ranks <= hi)
    if window.sum() < 2:
        window = np.ones(len(counts), dtype=bool)
    zipf_slope, zipf_intercept = _line_fit(np.log10(ranks[window]),
                                           np.log10(counts[window].astype(np.float64)))
    if total:
        points = np.unique(np.round(np.logspace(0, math.log10(total), _HEAPS_POINTS)))
        heaps_tokens = points.astype(np.int64)
        heaps_tokens[-1] = total
        heaps_tokens = np.unique(heaps_tokens)
    else:
        heaps_tokens = np.zeros(0, dtype=np.int64)
    heaps_types = np.searchsorted(np.asarray(first_seen, dtype=np.int64), heaps_tokens,
                                  side="right").astype(np.int64)
    beta, log_k = _line_fit(np.log10(heaps_tokens.astype(np.float64)),
                            np.log10(np.maximum(heaps_types, 1).astype(np.float64)))
    return CorpusStats(
        documents=len(lengths),
        tokens=total,
        types=len(counter),
        lengths=np.asarray(lengths, dtype=np.int64),
        label_counts=labels,
        counts=counts,
        zipf_slope=zipf_slope,
        zipf_intercept=zipf_intercept,
        heaps_tokens=heaps_tokens,
        heaps_types=heaps_types,
        heaps_k=10.0 ** log_k if not math.isnan(log_k) else math.nan,
        heaps_beta=beta,
    )


# ---- torch datasets ----------------------------------------------------------------------------


class SequenceDataset(torch.utils.data.Dataset):
    """Records as id sequences for a ``DataLoader``: item ``i`` is ``(ids, label)``.

    ``ids`` is the int64 tensor of vocabulary ids of ``records[i]``'s text, unpadded (cut to
    the vectorizer's ``sequence_length`` when it has one), ``label`` a 0-d int64 tensor. Ids
    are computed when an item is read. Batch items with :func:`collate`.

    Parameters
    ----------
    records : iterable of (text, label)
        The records (materialized into a list); labels must be ints, or keys of
        ``label_index``.
    vectorizer : TextVectorizer
        A fitted ``TextVectorizer("int")``.
    label_index : mapping, optional
        Label -> int, for labels that are not ints (``{"neg": 0, "pos": 1}`` for aclImdb).

    Raises
    ------
    TypeError
        If ``vectorizer`` is not a TextVectorizer, or ``records`` is not an iterable.
    ValueError
        If ``vectorizer`` is not fitted or its ``output_mode`` is not ``"int"``, or a label
        is not an int (nor in ``label_index``); the message names the record.

    Examples
    --------
    >>> v = TextVectorizer("int").fit(["a rose is a rose", "a daisy"])
    >>> data = SequenceDataset([("a rose", 1), ("a daisy is", 0)], v)
    >>> len(data), data[1]
    (2, (tensor([2, 4, 5]), tensor(0)))
    """

    def __init__(self, records: Iterable[Any], vectorizer: TextVectorizer, *,
                 label_index: Mapping[Any, int] | None = None) -> None:
        if not isinstance(vectorizer, TextVectorizer):
            raise TypeError(f"vectorizer must be a fitted TextVectorizer('int'), "
                            f"got {type(vectorizer).__name__}")
        if vectorizer.output_mode != "int":
            raise ValueError(f"vectorizer must have output_mode 'int', "
                             f"got {vectorizer.output_mode!r}")
        if vectorizer.vocabulary is None:
            raise ValueError("vectorizer must be fitted (call vectorizer.fit(texts) first)")
        if label_index is not None and not isinstance(label_index, Mapping):
            raise TypeError(f"label_index must be a mapping or None, "
                            f"got {type(label_index).__name__}")
        self._records = list(_check_records(records))
        self._labels: list[int] = []
        for i, record in enumerate(self._records):
            if not isinstance(record, tuple | list) or len(record) < 2 \
                    or not isinstance(record[0], str):
                raise TypeError(f"records[{i}] must be a (text, label) record, got {record!r}")
            label = record[1]
            if label_index is not None and label in label_index:
                label = label_index[label]
            if isinstance(label, bool) or not isinstance(label, int | np.integer):
                raise ValueError(f"records[{i}] has the label {record[1]!r}: labels must be "
                                 "ints (pass label_index={label: int, ...} to map them)")
            self._labels.append(int(label))
        self.vectorizer = vectorizer

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        text = self._records[index][0]
        v = self.vectorizer
        assert v.vocabulary is not None
        ids = v.vocabulary.lookup(v.analyze(text))
        if v.sequence_length is not None:
            ids = ids[: v.sequence_length]
        return (torch.tensor(ids, dtype=torch.int64),
                torch.tensor(self._labels[index], dtype=torch.int64))


def collate(
    batch: Sequence[tuple[torch.Tensor, torch.Tensor]],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad a batch of ``(ids, label)`` items into ``(ids, mask, labels)`` tensors.

    Parameters
    ----------
    batch : sequence of (1-D int tensor, 0-d int tensor)
        Items of a :class:`SequenceDataset` (a ``DataLoader``'s ``collate_fn``).

    Returns
    -------
    ids : torch.Tensor
        int64 ``(B, L)``, padded with 0 (the mask id) after each sequence; ``L`` is the
        longest sequence, at least 1.
    mask : torch.Tensor
        bool ``(B, L)``, True at real tokens.
    labels : torch.Tensor
        int64 ``(B,)``.

    Raises
    ------
    ValueError
        If ``batch`` is empty or an item is not a 1-D ids tensor and a label.

    Examples
    --------
    >>> ids, mask, labels = collate([(torch.tensor([5, 6, 7]), torch.tensor(1)),
    ...                              (torch.tensor([8]), torch.tensor(0))])
    >>> ids
    tensor([[5, 6, 7],
            [8, 0, 0]])
    >>> mask.sum(dim=1), labels
    (tensor([3, 1]), tensor([1, 0]))
    """
    items = list(batch)
    if not items:
        raise ValueError("batch must not be empty")
    for i, item in enumerate(items):
        if (not isinstance(item, tuple | list) or len(item) != 2
                or not isinstance(item[0], torch.Tensor) or item[0].dim() != 1):
            raise ValueError(f"batch[{i}] must be an (ids, label) pair with 1-D ids")
    length = max(1, max(len(ids) for ids, _ in items))
    out = torch.zeros((len(items), length), dtype=torch.int64)
    mask = torch.zeros((len(items), length), dtype=torch.bool)
    for row, (ids, _) in enumerate(items):
        out[row, : len(ids)] = ids
        mask[row, : len(ids)] = True
    labels = torch.stack([torch.as_tensor(label, dtype=torch.int64) for _, label in items])
    return out, mask, labels


# ---- archives ----------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")


def _member_parts(name: str) -> list[str]:
    """The path components of an archive member name; ValueError if it could escape."""
    if not name or name.startswith(("/", "\\")) or _DRIVE.match(name) or "\0" in name:
        raise ValueError(f"archive member {name!r} has an absolute or empty path: refused")
    parts = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"archive member {name!r} has a '..' component: refused")
    if not parts:
        raise ValueError(f"archive member {name!r} names no file: refused")
    return parts


def _inside(root: Path, parts: list[str]) -> Path:
    dest = root.joinpath(*parts)
    if not dest.resolve().is_relative_to(root.resolve()):
        raise ValueError(f"archive member {'/'.join(parts)!r} would land outside the target")
    return dest


def _write_member(dest: Path, source: IO[bytes]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_dir():
        raise ValueError(f"archive member {dest.name!r} is both a folder and a file")
    with open(dest, "wb") as out:
        shutil.copyfileobj(source, out, _CHUNK)


def _extract_tar(archive: Path, root: Path) -> list[Path]:
    written: list[Path] = []
    with tarfile.open(archive, "r:*") as tf:
        for member in tf:  # streamed: each member is checked before it is written
            parts = _member_parts(member.name)
            if member.issym() or member.islnk():
                raise ValueError(f"archive member {member.name!r} is a link: refused")
            if member.isdir():
                _inside(root, parts).mkdir(parents=True, exist_ok=True)
                continue
            if not member.isfile():
                raise ValueError(f"archive member {member.name!r} is a device, FIFO or other "
                                 "special file: refused")
            dest = _inside(root, parts)
            source = tf.extractfile(member)
            assert source is not None
            with source:
                _write_member(dest, source)
            written.append(dest)
    return written


def _extract_zip(archive: Path, root: Path) -> list[Path]:
    written: list[Path] = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = _member_parts(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ValueError(f"archive member {info.filename!r} is a link: refused")
            if info.is_dir():
                _inside(root, parts).mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # no type bits: a plain file
                raise ValueError(f"archive member {info.filename!r} is a device, FIFO or other "
                                 "special file: refused")
            dest = _inside(root, parts)
            with zf.open(info) as source:
                _write_member(dest, source)
            written.append(dest)
    return written


def extract_archive(archive: str | os.PathLike[str],
                    target: str | os.PathLike[str]) -> list[Path]:
    """Unpack a ``.tar``, ``.tar.gz``/``.tgz`` or ``.zip`` archive safely into ``target``.

    Every member is checked before it is written: absolute paths, ``..`` components,
    symbolic and hard links, devices and FIFOs are refused (ValueError naming the member),
    and no file can land outside ``target``. Members are unpacked into a temporary folder
    beside ``target`` (in its parent) and moved into place only when all are written, so a
    failure leaves nothing behind. When ``target`` does not exist the whole folder is renamed
    into place; when it exists, each top-level entry of the archive is moved into it, and
    none may exist there already. File modes, owners and times are not restored.

    Parameters
    ----------
    archive : str or os.PathLike
        The archive; its type is read from its content, not its name.
    target : str or os.PathLike
        The folder the members go into.

    Returns
    -------
    list of Path
        The unpacked files (not folders) at their final places, in archive order.

    Raises
    ------
    ValueError
        If ``archive`` is not a tar or zip file, a member is refused, or an entry already
        exists in ``target``.

    Examples
    --------
    >>> import io, tarfile, tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> with tarfile.open(tmp / "a.tar.gz", "w:gz") as tf:
    ...     info = tarfile.TarInfo("docs/pos/1.txt"); info.size = 5
    ...     tf.addfile(info, io.BytesIO(b"Great"))
    >>> [p.relative_to(tmp).as_posix() for p in extract_archive(tmp / "a.tar.gz", tmp / "out")]
    ['out/docs/pos/1.txt']
    """
    source = _check_path(archive, "archive")
    dest = _check_path(target, "target")
    if not source.is_file():
        raise ValueError(f"archive must be a file, got {source} (no such file)")
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"target must be a folder, got {dest} (a file)")
    if zipfile.is_zipfile(source):
        extract = _extract_zip
    elif tarfile.is_tarfile(source):
        extract = _extract_tar
    else:
        raise ValueError(f"archive must be a .tar, .tar.gz or .zip file, got {source}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        written = extract(source, tmp)
        if not dest.exists():
            os.replace(tmp, dest)
        else:
            tops = sorted(tmp.iterdir())
            clash = [p.name for p in tops if (dest / p.name).exists()]
            if clash:
                raise ValueError(f"target {dest} already holds {clash}: move them away first")
            for p in tops:
                os.replace(p, dest / p.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [dest / p.relative_to(tmp) for p in written]
