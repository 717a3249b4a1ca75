"""Binder and Colab, as a reader meets them.

* **Binder** (repo2docker) reads ``binder/`` and then ignores the root ``requirements.txt``.
  Binder has no GPU and about 2 GB of memory, so ``binder/requirements.txt`` must install the
  CPU build of torch (PyPI's Linux wheel of the same version is the CUDA build, with gigabytes of
  ``nvidia-*`` dependencies) and otherwise the very pins of the root file.
* **Colab**: every notebook's first cell runs ``pip install "tokenlab[notebooks] @ git+URL"``.
  The tests give pip the same requirement for this checkout (``git+file://``, as in a fresh
  environment): what it would install must provide every module any notebook imports, and the
  wheel it builds must carry the package data the chapters load (quizzes, widget JavaScript).
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, in_ci

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
STDLIB = set(sys.stdlib_module_names)


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==(\S+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_binder_installs_the_cpu_build_of_the_pinned_torch():
    binder = requirement_lines(ROOT / "binder" / "requirements.txt")
    root = pins(requirement_lines(ROOT / "requirements.txt"))
    assert f"--extra-index-url {CPU_INDEX}" in binder or f"--index-url {CPU_INDEX}" in binder
    assert pins(binder)["torch"] == f"{root['torch']}+cpu", \
        "binder must pin the root file's torch version with the +cpu local label"
    # Every other pin is the root file's own: binder includes it rather than copying it.
    assert "-r ../requirements.txt" in binder
    assert set(pins(binder)) == {"torch"}, "binder/requirements.txt repeats pins of the root file"


def test_binder_runtime_matches_the_package_python():
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lowest = re.fullmatch(r">=\s*(\d+\.\d+)", project["requires-python"]).group(1)
    assert runtime == f"python-{lowest}"


def test_binder_torch_pin_names_a_wheel_without_cuda_packages(tmp_path):
    """Resolve the pin with pip (no install) and read the chosen wheel's dependencies.

    The PyTorch CPU index is not reachable from every machine; the resolution uses the
    indexes and find-links pip is configured with here (in CI, the CPU wheel on disk).
    """
    torch_pin = f"torch=={pins(requirement_lines(ROOT / 'binder' / 'requirements.txt'))['torch']}"
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed",
         "--quiet", "--report", str(report), torch_pin],
        capture_output=True, text=True, timeout=300,
    )
    if proc.returncode != 0:
        message = f"pip could not resolve {torch_pin} here: {proc.stderr[-800:]}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    (chosen,) = json.loads(report.read_text(encoding="utf-8"))["install"]
    assert chosen["metadata"]["version"].endswith("+cpu")
    cuda = [d for d in chosen["metadata"].get("requires_dist", []) if d.startswith("nvidia")]
    assert not cuda, f"the binder torch wheel pulls CUDA packages: {cuda[:3]}"


def notebook_imports() -> dict[str, set[str]]:
    """Top-level modules each notebook imports (its Colab cell's google.colab excepted)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        names: set[str] = set()
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            source = "\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
        found[path.name] = names - STDLIB - {"google"}
    return found


def test_notebook_imports_are_found():
    imports = notebook_imports()
    assert imports and all("tokenlab" in names for names in imports.values())


def constraints_from_requirements(target: Path) -> Path:
    """The root pins as a constraints file, so the venv gets the versions the book is built with.

    Colab already has torch, numpy, matplotlib and scikit-learn; pinning them here stands in
    for that and keeps pip from fetching a multi-GB CUDA torch.
    """
    lines = [line for line in requirement_lines(ROOT / "requirements.txt")
             if not line.startswith("-")]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def distributions_of(modules: set[str]) -> dict[str, set[str]]:
    """The distributions (normalized names) that provide each module in this environment."""
    provided = importlib.metadata.packages_distributions()
    return {m: {canonical(d) for d in provided.get(m, [])} for m in modules}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def cell_spec() -> str:
    """The notebooks' own install line, with the remote URL replaced by this checkout's HEAD."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    return f"tokenlab[notebooks] @ git+file://{ROOT}@{head.stdout.strip()}"


def clean_env() -> dict[str, str]:
    """Nothing of this checkout's venv (PYTHONPATH, VIRTUAL_ENV) leaks into pip."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_colab_cell_installs_what_the_notebooks_import(tmp_path):
    """pip resolves the cell's requirement (as on Colab, in a fresh environment) to a set of
    distributions that provides every module any notebook imports.

    A real install of that set takes many minutes (torch alone is a large wheel), so this
    asks pip for the resolution (``--dry-run --ignore-installed --report``): the same
    resolver, the same metadata, nothing installed. The root pins are constraints, standing in
    for the packages Colab already has and keeping pip from choosing a multi-GB CUDA torch.
    """
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--disable-pip-version-check", "--report", str(report),
         "-c", str(constraints_from_requirements(tmp_path / "constraints.txt")), cell_spec()],
        capture_output=True, text=True, timeout=900, env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    resolved = {canonical(item["metadata"]["name"])
                for item in json.loads(report.read_text(encoding="utf-8"))["install"]}
    assert "tokenlab" in resolved
    for notebook, modules in notebook_imports().items():
        for module, providers in distributions_of(modules - {"tokenlab"}).items():
            assert providers, f"{notebook} imports {module}, which nothing installed provides"
            assert providers & resolved, (
                f"{notebook} imports {module} (from {sorted(providers)}), but the Colab cell's "
                f"'tokenlab[notebooks]' does not install it: add it to the notebooks extra"
            )


def test_colab_install_carries_the_package_data(tmp_path):
    """The wheel pip builds from the repository holds every file of lib/tokenlab that git
    tracks: the quizzes, the glossary and the widgets' JavaScript and CSS included."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
         "--disable-pip-version-check", "-w", str(tmp_path), cell_spec()],
        capture_output=True, text=True, timeout=600, env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    (wheel,) = tmp_path.glob("tokenlab-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("tokenlab/")}
    tracked = subprocess.run(["git", "ls-files", "lib/tokenlab"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    expected = {path.removeprefix("lib/") for path in tracked}
    missing = sorted(expected - shipped)
    assert not missing, f"the installed package would lack: {missing[:10]}"
