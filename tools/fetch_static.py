"""Fetch the JavaScript the static site serves itself, at pinned versions, integrity-checked.

The book's pages load require.js, the Jupyter widget manager, anywidget and MathJax from the
site's own ``static/vendor`` folder (copied to ``_build/html/_static/vendor``), never from a
CDN. The same folder serves the data files of the widgets that run real tokenizers in the
browser (``tiktoken/cl100k_base.tiktoken``, ``tiktoken/o200k_base.tiktoken``: the manifest's
``models``): each comes through :func:`tokenlab.models.path` (``$TOKENLAB_MODELS`` offline,
else a download from upstream into the model cache) and is checked against its pinned sha256
before it is copied.

This script downloads each package named in ``tools/static-assets.json`` with the npm
client (``npm pack``, so the registry is whatever npm is configured to use), checks the
tarball against its pinned SRI integrity (sha512) *before* extracting anything, and copies
only the files the site needs. Tarballs are cached, so a second run (or an offline build with
a warm cache) needs no network::

    python tools/fetch_static.py            # fetch what is missing, verify, extract
    python tools/fetch_static.py --check    # only check that static/vendor is up to date
                                            # (its stamp, and each model file's sha256)

Cache: ``$TOKENLAB_NPM_CACHE`` or ``~/.cache/tokenlab/npm``. To build offline on another
machine, copy that folder (or run this script once while online).
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tools" / "static-assets.json"
DEST = ROOT / "static" / "vendor"


def cache_dir() -> Path:
    env = os.environ.get("TOKENLAB_NPM_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "tokenlab" / "npm"


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def tarball_name(name: str, version: str) -> str:
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def fetch_tarball(pkg: dict) -> bytes:
    """Return the verified tarball bytes of one package, from the cache or via ``npm pack``."""
    name, version, integrity = pkg["name"], pkg["version"], pkg["integrity"]
    cached = cache_dir() / tarball_name(name, version)
    if cached.exists():
        data = cached.read_bytes()
        if sri_sha512(data) == integrity:
            return data
        print(f"cached {cached.name} fails its integrity check; fetching it again", file=sys.stderr)
        cached.unlink()
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            f"npm is needed to fetch {name}@{version} (or put {cached.name} in {cache_dir()})"
        )
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [npm, "pack", f"{name}@{version}", "--pack-destination", tmp, "--json"],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(
                f"npm pack {name}@{version} failed (offline? put {cached.name} in "
                f"{cache_dir()}):\n{proc.stderr.strip()}"
            )
        data = (Path(tmp) / tarball_name(name, version)).read_bytes()
    actual = sri_sha512(data)
    if actual != integrity:
        raise SystemExit(
            f"integrity mismatch for {name}@{version}: expected {integrity}, got {actual}; "
            "nothing was extracted"
        )
    tmp_path = cached.with_suffix(".part")
    tmp_path.write_bytes(data)
    tmp_path.replace(cached)
    return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_model_file(entry: dict, dest: Path) -> Path:
    """Copy one pretrained file (through the model registry) into ``dest``, sha256-checked."""
    sys.path.insert(0, str(ROOT / "lib"))
    try:
        from tokenlab import models
    finally:
        sys.path.pop(0)
    try:
        source = models.path(entry["model"], entry["file"])
    except (models.ModelUnavailableError, ValueError) as exc:
        raise SystemExit(f"{entry['model']}/{entry['file']}: {exc}") from exc
    actual = sha256_file(source)
    if actual != entry["sha256"]:
        raise SystemExit(f"sha256 mismatch for {source}: expected {entry['sha256']}, got "
                         f"{actual}; nothing was copied")
    target = dest / entry["dest"]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _skipped(member: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(member, p) for p in patterns)


def extract(pkg: dict, data: bytes, dest: Path) -> list[Path]:
    """Copy the package's wanted files (regular files only, no links, no escaping paths)."""
    written: list[Path] = []
    skip = pkg.get("skip", [])
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            rel = member.name.removeprefix("package/")
            if rel.startswith("/") or ".." in Path(rel).parts or _skipped(rel, skip):
                continue
            for src, dst in pkg["extract"].items():
                if src.endswith("/") and rel.startswith(src):
                    target = dest / dst / rel[len(src):]
                elif rel == src:
                    target = dest / dst
                else:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                fh = tar.extractfile(member)
                assert fh is not None
                target.write_bytes(fh.read())
                written.append(target)
    missing = [s for s in pkg["extract"] if not any(
        str(p.relative_to(dest)).startswith(pkg["extract"][s].rstrip("/")) for p in written)]
    if missing:
        raise SystemExit(f"{pkg['name']}@{pkg['version']} has no {missing}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify only; fetch nothing")
    args = parser.parse_args(argv)
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    stamp = DEST / "manifest.json"
    model_files = manifest.get("models", [])
    wanted = json.dumps({"packages": manifest["packages"], "models": model_files},
                        sort_keys=True)
    if (stamp.exists() and stamp.read_text(encoding="utf-8") == wanted
            and all((DEST / m["dest"]).is_file()
                    and sha256_file(DEST / m["dest"]) == m["sha256"] for m in model_files)):
        print(f"static/vendor is up to date ({len(manifest['packages'])} packages, "
              f"{len(model_files)} model files)")
        return 0
    if args.check:
        print("static/vendor is missing or stale: run python tools/fetch_static.py")
        return 1
    if DEST.exists():
        shutil.rmtree(DEST)
    DEST.mkdir(parents=True)
    for pkg in manifest["packages"]:
        files = extract(pkg, fetch_tarball(pkg), DEST)
        size = sum(f.stat().st_size for f in files)
        print(f"{pkg['name']}@{pkg['version']}: {len(files)} files, {size / 1e6:.1f} MB, "
              "integrity ok")
    for entry in model_files:
        target = fetch_model_file(entry, DEST)
        print(f"{entry['model']}/{entry['file']}: {target.stat().st_size / 1e6:.1f} MB, "
              "sha256 ok")
    stamp.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
