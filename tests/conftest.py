"""Shared fixtures: corpora location, the built site, a local server and a headless browser."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SESSION_START = time.time()
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"

SHARED_MODELS = ROOT.parent / "shared" / "models"

if "TOKENLAB_DATA" not in os.environ and SHARED_CORPORA.is_dir():
    os.environ["TOKENLAB_DATA"] = str(SHARED_CORPORA)
if "TOKENLAB_MODELS" not in os.environ and SHARED_MODELS.is_dir():
    os.environ["TOKENLAB_MODELS"] = str(SHARED_MODELS)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def require_tool(name: str, path: str | None) -> str:
    """Return the tool's path; skip without it, except in CI, where a missing tool fails."""
    if path:
        return path
    message = f"{name} is not installed"
    if in_ci():
        pytest.fail(f"{message}, and CI must run these tests")
    pytest.skip(message)


class BookBuild:
    def __init__(self, returncode: int, output: str, seconds: float, html: Path) -> None:
        self.returncode, self.output, self.seconds, self.html = returncode, output, seconds, html


class _BackgroundBuild:
    """The book build, started as soon as collection shows a test that needs it, so that it
    runs beside the unit tests (which are ordered first) instead of after them."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.start = 0.0
        self.log = ROOT / "_build" / "build.log"
        self.busy = ROOT / "_build" / "busy-beside-build"
        self.threads = 1

    def begin(self) -> None:
        if self.proc is not None:
            return
        fetch = subprocess.run([sys.executable, "tools/fetch_static.py"], cwd=ROOT,
                               capture_output=True, text=True)
        assert fetch.returncode == 0, fetch.stdout + fetch.stderr
        self.log.parent.mkdir(exist_ok=True)
        self.busy.touch()
        self.start = time.perf_counter()
        # tools/build_book.py removes the stale pages and gives each notebook kernel one
        # thread; while the unit tests run (while ``busy`` exists) it runs one notebook at a
        # time, two processes on two cores, then two. This process keeps to one thread
        # meanwhile: OpenMP pools of two threads on two shared cores wait on each other's
        # preempted threads (a notebook ran 8x slower so).
        with open(self.log, "w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "tools/build_book.py", "--busy-file", str(self.busy)],
                cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def finish(self) -> BookBuild:
        self.begin()
        assert self.proc is not None
        self.busy.unlink(missing_ok=True)  # only the build is left: both cores to it
        returncode = self.proc.wait()
        seconds = time.perf_counter() - self.start
        import torch

        torch.set_num_threads(self.threads)
        output = self.log.read_text(encoding="utf-8")
        summary = (f"book build: {seconds:.1f} s, exit code {returncode}, beside the other "
                   f"tests ({(output.strip().splitlines() or [''])[-1]})")
        self.log.write_text(f"{output}\n{summary}\n", encoding="utf-8")
        print(f"\n{summary}")
        return BookBuild(returncode, output, seconds, ROOT / "_build" / "html")

    def stop(self) -> None:
        self.busy.unlink(missing_ok=True)
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            self.proc.wait()


_BUILD = _BackgroundBuild()


def _needs_book(item: pytest.Item) -> bool:
    return "book_build" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """Run the tests that need the built book last (a stable sort: each group keeps its order),
    so that the build, started in the background, overlaps everything else."""
    items.sort(key=_needs_book)


def pytest_collection_finish(session):
    if (session.config.option.collectonly or os.environ.get("TOKENLAB_SITE")
            or not any(map(_needs_book, session.items))):
        return
    _BUILD.begin()


def pytest_sessionfinish(session, exitstatus):
    _BUILD.stop()  # a run cut short (-x, Ctrl-C) does not leave the build running


@pytest.fixture(scope="session")
def book_build() -> BookBuild:
    """The whole book, built once per session, every notebook executed, warnings as errors.

    The build starts in the background when collection ends (see ``_BackgroundBuild``); this
    waits for it. Set TOKENLAB_SITE to an already built ``_build/html`` to skip the build
    while iterating.
    """
    prebuilt = os.environ.get("TOKENLAB_SITE")
    if prebuilt:
        return BookBuild(0, "(prebuilt: TOKENLAB_SITE)", 0.0, Path(prebuilt))
    return _BUILD.finish()


@pytest.fixture(scope="session")
def site_dir(book_build: BookBuild) -> Path:
    if book_build.returncode != 0:
        pytest.fail("the book did not build; see test_book.py and _build/build.log")
    return book_build.html


@pytest.fixture(scope="session")
def site_url(site_dir: Path):
    """Serve the built site on 127.0.0.1 (an ephemeral port) for the session."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (no browser download)."""
    exe = os.environ.get("TOKENLAB_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )
    exe = require_tool("chromium", exe)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def widget_model(site_dir: Path, page_path: str, marker: str, name: str) -> dict:
    """The state of the one widget on a built page whose JavaScript contains ``marker``.

    Jupyter Book embeds every executed widget's state in the page; the site tests compare what
    the browser shows with what Python computed at build time.
    """
    html = (site_dir / page_path).read_text(encoding="utf-8")
    match = re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S
    )
    assert match, f"{page_path} embeds no widget state"
    models = [m["state"] for m in json.loads(match.group(1))["state"].values()
              if marker in m["state"].get("_esm", "")]
    assert len(models) == 1, f"expected one {name} on {page_path}, found {len(models)}"
    return models[0]


class PageWatch:
    """Everything a page asked for and complained about while a test drove it."""

    def __init__(self, page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.console_errors.append(f"pageerror: {err}"))
        page.on("response", self._response)
        page.on("requestfailed", lambda req: self.failed.append(f"{req.url} ({req.failure})"))
        page.route("**/*", self._route)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(f"{msg.text} at {msg.location}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def assert_clean(self) -> None:
        assert not self.outside, f"requests outside 127.0.0.1: {self.outside}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@pytest.fixture
def open_page(browser, site_url):
    """Open a page of the site in a fresh context; yields (page, watch)."""
    contexts = []

    def _open(path: str, wait_until: str = "load", **context_args):
        """``wait_until="commit"`` returns as soon as the page starts loading, so that a test
        can start several pages and let the browser load them side by side (see
        ``open_pages``)."""
        context = browser.new_context(**context_args)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, site_url)
        page.goto(f"{site_url}/{path}", wait_until=wait_until)
        return page, watch

    yield _open
    for context in contexts:
        context.close()


PAGES_AT_ONCE = 4  # pages a test loads side by side (each in its own context)


def open_pages(open_page, paths, **context_args):
    """Yield ``(path, page, watch)`` for each of ``paths``, loaded (the ``load`` event fired),
    while up to ``PAGES_AT_ONCE`` pages load side by side: headless chromium renders pages of
    separate contexts concurrently, where one page at a time leaves a core idle through every
    page's network and script waits. Each page's context is closed once the caller moves on.
    """
    paths = list(paths)
    for lo in range(0, len(paths), PAGES_AT_ONCE):
        group = [(path, *open_page(path, wait_until="commit", **context_args))
                 for path in paths[lo:lo + PAGES_AT_ONCE]]
        for path, page, watch in group:
            page.wait_for_load_state("load")
            yield path, page, watch
            page.context.close()


class UnusableAnswer:
    """An exercise answer that breaks everything a checker might do with it (repr, ==, hash,
    attributes, len): the exercise tests hand it to ``check`` to prove nothing escapes."""

    def __repr__(self):
        raise RuntimeError("no repr")

    def __eq__(self, other):
        raise RuntimeError("no eq")

    __hash__ = None

    def __getattr__(self, name):
        raise RuntimeError(f"no {name}")

    def __len__(self):
        raise RuntimeError("no len")


def assert_fails_with_remark(exercise_id, answer, remark, cases, expected_forms):
    """``check(exercise_id, answer)`` fails with ``remark`` and the hint, and never spells out
    the expected output of the first failing one of ``cases`` (``expected_forms(expected)``
    lists how it would look)."""
    from tokenlab import exercises as ex

    result = ex.check(exercise_id, answer)
    assert not result.passed and not bool(result)
    hint = ex.get_exercise(exercise_id).hint
    assert re.match(rf"{result.n_passed} of {result.n_cases} hidden cases passed\. For ",
                    result.message), result.message
    assert result.message.endswith(f"; hint: {hint}")
    assert remark in result.message.split("; hint:")[0], result.message
    # The expected output of the first failing case is never shown, only the reader's own.
    first = next(c for c in cases if f"For {c.describe()} your" in result.message)
    shown = result.message.split("; hint:")[0].replace(first.describe(), "<input>")
    shown = re.sub(r"returned .*? - ", "returned <got> - ", shown)
    for form in expected_forms(first.expected):
        assert form not in shown, (form, shown)


def pytest_terminal_summary(terminalreporter):
    """Print the book build's time at the end of the run (make test), when it was built."""
    log = ROOT / "_build" / "build.log"
    if log.exists() and log.stat().st_mtime >= _SESSION_START:
        terminalreporter.write_line(log.read_text(encoding="utf-8").strip().splitlines()[-1])
