"""Rendering portal and console pages: one Jinja2 environment, autoescaped, strict, with the
headers every page carries.

Autoescaping is on for every template, so an exhibitor's booth name is
shown as text, never as markup; undefined variables are errors, not empty
strings. Pages are never cached and may not be framed; their Content
Security Policy allows only the expo's own scripts, styles and images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from metaexpo.portal.i18n import Lang, text_in, translator

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Headers of every page (the security headers of every response: metaexpo.http.headers).
PAGE_HEADERS = {"Cache-Control": "no-store"}


def _state_key(state: str | None) -> str:
    return f"state_{state}" if state else "state_none"


class Pages:
    """The template environment and the page renderer."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.env = Environment(
            loader=FileSystemLoader(templates_dir),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["state_key"] = _state_key

    def render(
        self, name: str, lang: Lang, context: dict[str, Any], status_code: int = 200
    ) -> HTMLResponse:
        """The page ``name`` in ``lang`` with ``context``; ``t`` and ``text`` are always there."""
        template = self.env.get_template(name)
        body = template.render(
            lang=lang,
            other_lang="en" if lang == "zh" else "zh",
            t=translator(lang),
            text=lambda value: text_in(value, lang),
            **context,
        )
        return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)
