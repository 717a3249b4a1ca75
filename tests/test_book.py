"""The book builds with every notebook executed, no warning and no cell error."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.site


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        pages.extend(chapter["file"] for chapter in part["chapters"])
    return pages


def test_every_notebook_is_in_the_table_of_contents():
    listed = set(toc_pages())
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        page = str(notebook.relative_to(ROOT).with_suffix(""))
        assert page in listed, f"{page} is not in _toc.yml"


def test_book_builds_without_warnings(book_build):
    assert book_build.returncode == 0, book_build.output[-6000:]
    warnings = [line for line in book_build.output.splitlines()
                if re.search(r"\bWARNING\b", line) and "Kernel is running over TCP" not in line]
    assert not warnings, "\n".join(warnings)
    assert "reports" not in {p.name for p in (book_build.html).iterdir()}


def test_every_notebook_page_was_executed(site_dir):
    notebooks = [p for p in toc_pages() if (ROOT / f"{p}.ipynb").exists()]
    assert notebooks, "the table of contents lists no notebook"
    for page in notebooks:
        html = (site_dir / f"{page}.html").read_text(encoding="utf-8")
        outputs = html.count('class="cell_output')
        assert outputs >= 5, f"{page}: only {outputs} cell outputs; was it executed?"
        assert "Traceback" not in html, f"{page} shows a traceback"


def test_widget_pages_serve_their_javascript_locally(site_dir):
    for page in toc_pages():
        html = (site_dir / f"{page}.html").read_text(encoding="utf-8")
        for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
            assert not src.startswith(("http:", "https:", "//")), f"{page} loads {src}"
        if "application/vnd.jupyter.widget-state+json" in html:
            assert "_static/vendor/requirejs/require.js" in html
            assert "_static/vendor/html-manager/embed-amd.js" in html
