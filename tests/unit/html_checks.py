"""What a page would fetch when opened: a report must work offline, so it loads nothing.

A source named in the text ("Cura Individutveckling, 'Prislistor' 2025 https://…") is not
fetched; a ``src``, a stylesheet link or a CSS ``url()`` is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["fetched"]

_FETCHING = {"src", "srcset", "href", "data", "poster", "xlink:href", "action"}


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in _FETCHING and v and not v.startswith("#")]


def fetched(page: str) -> list[str]:
    """Every address the page asks a browser to load: attributes, CSS ``url()``, ``@import``."""
    parser = _Attributes()
    parser.feed(page)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.DOTALL)
    css = [u for s in styles for u in re.findall(r"url\(([^)]*)\)|@import\s+(\S+)", s)]
    return parser.urls + [a or b for a, b in css]
