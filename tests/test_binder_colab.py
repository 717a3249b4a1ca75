"""Binder and Colab, as a reader meets them.

* **Binder** (repo2docker) reads ``binder/`` and then ignores the root ``requirements.txt``.
  Binder has no GPU and about 2 GB of memory, so ``binder/requirements.txt`` must install the
  CPU build of torch (PyPI's Linux wheel of the same version is the CUDA build, with gigabytes of
  ``nvidia-*`` dependencies) and otherwise the very pins of the root file.
* **Colab**: every notebook's first cell runs ``pip install "tokenlab[notebooks] @ git+URL"``.
  :func:`test_colab_cell_installs_what_the_notebooks_import` does the same from a local clone
  (``git+file://``) into a fresh venv, then imports every module any notebook imports and the
  package data the chapters load (quizzes, widget JavaScript).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
import venv
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


def test_colab_cell_installs_what_the_notebooks_import(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    # A clean environment: nothing of this checkout's venv (PYTHONPATH, VIRTUAL_ENV) leaks in.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env_dir = tmp_path / "venv"
    # Colab's pip is current; the pip that ensurepip bundles with Python 3.11 (23.2) cannot
    # parse a git+file URL with extras, so the venv upgrades it first.
    venv.create(env_dir, with_pip=True, upgrade_deps=True)
    python = env_dir / "bin" / "python"
    constraints = constraints_from_requirements(tmp_path / "constraints.txt")
    # The notebooks' own cell, with the remote URL replaced by this checkout.
    spec = f"tokenlab[notebooks] @ git+file://{ROOT}@{head.stdout.strip()}"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(constraints), spec],
        capture_output=True, text=True, timeout=1200, env=clean,
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-4000:]
    modules = sorted(set().union(*notebook_imports().values()))
    script = "\n".join([
        "import importlib, pkgutil, json",
        f"for name in {modules!r}:",
        "    importlib.import_module(name)",
        "import tokenlab, tokenlab.widgets",
        "for info in pkgutil.walk_packages(tokenlab.__path__, 'tokenlab.'):",
        "    importlib.import_module(info.name)",
        "from importlib.resources import files",
        "data = files('tokenlab') / 'data'",
        "quizzes = sorted(p.name for p in data.iterdir() if p.name.startswith('quiz_'))",
        "widgets = sorted(p.name for p in (files('tokenlab') / 'widgets').iterdir()",
        "                 if p.name.endswith('.js'))",
        "print(json.dumps({'quizzes': quizzes, 'widgets': widgets,",
        "                  'path': tokenlab.__file__}))",
    ])
    run = subprocess.run([str(python), "-c", script], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path, env=clean)
    assert run.returncode == 0, run.stderr[-4000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert str(env_dir) in found["path"], "imported tokenlab from outside the fresh venv"
    in_repo = sorted(p.name for p in (ROOT / "lib" / "tokenlab" / "data").glob("quiz_*.json"))
    assert found["quizzes"] == in_repo, "the installed package lacks quiz files"
    js = sorted(p.name for p in (ROOT / "lib" / "tokenlab" / "widgets").glob("*.js"))
    assert found["widgets"] == js, "the installed package lacks widget JavaScript"
