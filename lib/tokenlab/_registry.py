"""The machinery shared by :mod:`tokenlab.corpus` and :mod:`tokenlab.models`.

A registry entry (a corpus, a pretrained model) is a named folder of files, each with an
upstream URL and the checksums a copy must have. A :class:`Store` says where such folders live
(an environment variable naming an offline folder, else a cache folder), finds a file in them,
downloads it when it is missing (to a temporary file, checked, then renamed) and verifies it.
Verification is cached in-process per (path, size, modification time).

>>> store = Store("model", "TOKENLAB_EXAMPLE", RuntimeError, cache_subdir="examples")
>>> store.root().name
'examples'
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RemoteFile", "Store", "VERIFIED", "digests"]

CHUNK = 1 << 20
TIMEOUT_S = 60

# (resolved path, size, mtime_ns, RemoteFile) of every file verified in this process.
VERIFIED: set[tuple[str, int, int, RemoteFile]] = set()

Digests = Callable[[Path, int], tuple[str, str]]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a registry entry and the checksums that make it acceptable.

    Parameters
    ----------
    name : str
        The file name inside the entry's folder (it may name a subfolder: ``"a/b.json"``).
    url : str or None
        Where to download it; ``None`` when no stable address is known (then the file must
        already be in the folder).
    sha256s : tuple of str
        Accepted SHA-256 hex digests (lower case).
    git_blob : str or None
        The upstream git blob id (SHA-1 of ``b"blob <size>\\0" + content``), also accepted.

    Examples
    --------
    >>> RemoteFile("a.txt", None, ("0" * 64,)).git_blob is None
    True
    """

    name: str
    url: str | None
    sha256s: tuple[str, ...]
    git_blob: str | None = None


def digests(file: Path, size: int) -> tuple[str, str]:
    """SHA-256 and git blob id of ``file`` (of ``size`` bytes) in one pass.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "empty"
    >>> _ = f.write_bytes(b"")
    >>> digests(f, 0)[1]  # git's empty blob
    'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
    """
    sha256 = hashlib.sha256()
    blob = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    with open(file, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha256.update(chunk)
            blob.update(chunk)
    return sha256.hexdigest(), blob.hexdigest()


def accepted(spec: RemoteFile, sha256: str, blob: str) -> bool:
    return sha256 in spec.sha256s or (spec.git_blob is not None and blob == spec.git_blob)


def has_checksum(spec: RemoteFile) -> bool:
    return bool(spec.sha256s) or spec.git_blob is not None


def _expected(spec: RemoteFile) -> str:
    parts = [f"sha256 {s}" for s in spec.sha256s]
    if spec.git_blob:
        parts.append(f"git blob {spec.git_blob}")
    return " or ".join(parts)


def _stat_key(file: Path, spec: RemoteFile) -> tuple[str, int, int, RemoteFile]:
    st = file.stat()
    return (str(file.resolve()), st.st_size, st.st_mtime_ns, spec)


def mismatch(what: str, spec: RemoteFile, sha256: str, blob: str) -> ValueError:
    return ValueError(
        f"{what} has the wrong checksum: expected {_expected(spec)}, "
        f"got sha256 {sha256} (git blob {blob})"
    )


def verify(file: Path, spec: RemoteFile, what: str, *, digest: Digests = digests) -> None:
    """Raise ValueError unless ``file`` has one of ``spec``'s checksums (cached per stat)."""
    key = _stat_key(file, spec)
    if key in VERIFIED:
        return
    sha256, blob = digest(file, key[1])
    if not accepted(spec, sha256, blob):
        raise mismatch(what, spec, sha256, blob)
    VERIFIED.add(key)


def _offline() -> bool:
    return os.environ.get("TOKENLAB_OFFLINE", "").lower() not in ("", "0", "false")


@dataclass(frozen=True)
class Store:
    """Where the folders of one kind of registry entry live, and how their files are fetched.

    Parameters
    ----------
    kind : str
        What an entry is, for messages (``"corpus"``, ``"model"``).
    env : str
        The environment variable that names the folder of entries (an offline copy in CI).
    error : type
        The ``RuntimeError`` subclass raised when a file is missing and cannot be downloaded.
    cache_subdir : str
        The subfolder of ``platformdirs.user_cache_dir("tokenlab")`` used when ``env`` is
        unset or empty (``""``: the cache folder itself).
    """

    kind: str
    env: str
    error: type[RuntimeError]
    cache_subdir: str = ""

    def root(self) -> Path:
        """``Path($env)`` (``~`` expanded) when set and non-empty, else the cache folder."""
        value = os.environ.get(self.env, "")
        if value:
            return Path(value).expanduser()
        import platformdirs

        cache = Path(platformdirs.user_cache_dir("tokenlab"))
        return cache / self.cache_subdir if self.cache_subdir else cache

    def where_to_put(self, entry: str, files: Sequence[RemoteFile], folder: Path) -> str:
        names = ", ".join(f.name for f in files)
        return (
            f"Put the file(s) {names} in {folder}, or set the environment variable "
            f"{self.env} to a folder that has a {entry}/ subfolder holding them."
        )

    def untrusted(self, entry: str, spec: RemoteFile, unpack: str = "") -> RuntimeError:
        how = f"Download {spec.url} yourself" if spec.url else f"Get {spec.name} yourself"
        return self.error(
            f"{self.kind} {entry!r}: no checksum is recorded for {spec.name}, so tokenlab will "
            f"neither download it nor trust a copy of it. {how}, check it against a checksum "
            f"you trust{unpack}. Or set the environment variable {self.env} to a folder that "
            f"has a {entry}/ subfolder holding it."
        )

    def download(self, entry: str, files: Sequence[RemoteFile], spec: RemoteFile,
                 folder: Path, *, unpack: str = "", digest: Digests = digests) -> Path:
        """Download ``spec`` into ``folder`` through a temporary file, verified, then renamed."""
        target = folder / spec.name
        put = self.where_to_put(entry, files, folder)
        if not has_checksum(spec):
            raise self.untrusted(entry, spec, unpack)
        if spec.url is None:
            raise self.error(
                f"{self.kind} {entry!r}: {target} is missing, and no stable download address "
                f"is known for {spec.name}, so it is only available from a local data folder. "
                + put
            )
        if _offline():
            raise self.error(
                f"{self.kind} {entry!r}: {target} is missing and downloads are off "
                f"(TOKENLAB_OFFLINE is set). Download {spec.url} by hand. " + put
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                            dir=target.parent)
        except OSError as err:
            raise self.error(
                f"{self.kind} {entry!r}: {target} is missing and cannot be downloaded into "
                f"{target.parent} ({err}). " + put
            ) from err
        tmp = Path(tmp_name)
        try:
            size = 0
            sha256 = hashlib.sha256()
            try:
                with os.fdopen(fd, "wb") as out, urllib.request.urlopen(
                    spec.url, timeout=TIMEOUT_S
                ) as response:
                    while chunk := response.read(CHUNK):
                        out.write(chunk)
                        sha256.update(chunk)
                        size += len(chunk)
            except (urllib.error.URLError, OSError) as err:
                raise self.error(
                    f"{self.kind} {entry!r}: {target} is missing and could not be downloaded "
                    f"from {spec.url} ({err}). Download it by hand, or copy it from a machine "
                    "that has it. " + put
                ) from err
            got = sha256.hexdigest()
            blob = got if got in spec.sha256s else digest(tmp, size)[1]
            if not accepted(spec, got, blob):
                raise mismatch(f"{self.kind} {entry!r}: the download of {spec.url} "
                               f"(deleted, not saved to {target})", spec, got, blob)
            os.replace(tmp, target)
            VERIFIED.add(_stat_key(target, spec))
        finally:
            tmp.unlink(missing_ok=True)
        return target

    def fetch(self, entry: str, files: Sequence[RemoteFile], spec: RemoteFile, *,
              unpack: str = "", digest: Digests = digests) -> Path:
        """The verified path ``<root>/<entry>/<spec.name>``, downloaded first if missing.

        ``unpack`` is appended to the advice when no checksum is recorded (how to unpack an
        archive fetched by hand); ``digest`` computes (sha256, git blob) of a file.
        """
        folder = self.root() / entry
        target = folder / spec.name
        if not has_checksum(spec):
            raise self.untrusted(entry, spec, unpack)
        if not target.is_file():
            self.download(entry, files, spec, folder, unpack=unpack, digest=digest)
        verify(target, spec, f"{self.kind} {entry!r}: the file {target}", digest=digest)
        return target
