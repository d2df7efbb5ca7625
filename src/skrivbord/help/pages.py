"""Help pages: Markdown files per language in help/pages/<language>/<page>.md.

Every screen names its page (the module registry, or `request.help_page`); the top bar's Help
link opens it. A page missing in the user's language falls back to Swedish, then English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown

PAGES_DIR = Path(__file__).resolve().parent / "pages"
PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FALLBACKS = ("sv", "en")


@dataclass(frozen=True)
class HelpPage:
    name: str
    language: str
    title: str
    html: str


def page_path(name: str, language: str) -> Path | None:
    if not PAGE_NAME.match(name):
        return None
    for candidate in (language, *FALLBACKS):
        path = PAGES_DIR / candidate / f"{name}.md"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=256)
def _render(path: Path, mtime: float) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    title = first.lstrip("#").strip() if first.startswith("#") else path.stem
    # Help pages ship with the code (never user input), so their Markdown is trusted.
    html = markdown.markdown(text, extensions=["tables", "toc", "sane_lists"], output_format="html")
    return title, html


def load_page(name: str, language: str) -> HelpPage | None:
    path = page_path(name, language)
    if path is None:
        return None
    title, html = _render(path, path.stat().st_mtime)
    return HelpPage(name=name, language=path.parent.name, title=title, html=html)


def available_pages(language: str) -> list[str]:
    names = {
        path.stem for folder in (language, *FALLBACKS) for path in (PAGES_DIR / folder).glob("*.md")
    }
    return sorted(names)
