"""Small Sphinx fixes for the book's site (loaded through ``sphinx.local_extensions``).

sphinx-thebe 0.3.1 registers its inline ``const THEBE_JS_URL = ...`` script twice on a page (once
with filename None, once with filename ""),
and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the
browser. This extension drops exact duplicate scripts from each page's script list.
"""

from __future__ import annotations

from typing import Any


def _dedupe_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), repr(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique  # in place: other handlers hold this list


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
