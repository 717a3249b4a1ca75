"""Every notebook is committed with outputs stripped and opens with the Colab install cell."""

from __future__ import annotations

import functools
import json
import subprocess

import pytest
import yaml

from conftest import ROOT

REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


@functools.cache
def notebooks() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    on_disk = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("*.ipynb"))
    return sorted(set(listed) | set(on_disk))


def test_there_are_notebooks():
    assert notebooks()


@pytest.mark.parametrize("path", notebooks())
def test_outputs_are_stripped(path):
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path} cell {i} has outputs"
            assert cell.get("execution_count") is None, f"{path} cell {i} has an execution count"
    assert "widgets" not in nb.get("metadata", {}), f"{path} carries saved widget state"


@pytest.mark.parametrize("path", notebooks())
def test_first_code_cell_installs_tokenlab_on_colab_only(path):
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    source = "".join(code[0]["source"])
    assert 'if "google.colab" in sys.modules:' in source
    assert f"tokenlab[notebooks] @ git+{REPO_URL}" in source, \
        "the cell installs tokenlab with its notebooks extra, from the URL in _config.yml"
    assert "enable_custom_widget_manager" in source
    # Outside Colab the cell must do nothing: running it here installs nothing.
    namespace: dict = {}
    exec(compile(source, path, "exec"), namespace)
    assert "subprocess" not in namespace


@pytest.mark.parametrize("path", notebooks())
def test_notebook_uses_python3_kernel(path):
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
