"""What an exhibitor edits: the booth's bilingual texts, links, template and colours.

:class:`BoothContent` is stored as JSON in each revision and validated with
the catalog's own field types (bilingual :class:`~metaexpo.scenes.Text`,
http(s) links, ``#rrggbb`` colours), plus the rules that depend on the
catalog: tags must be the catalog's, and a template must fit the booth's
slot (a kiosk fits anywhere; a pavilion only where a pavilion stands).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator

from metaexpo.errors import Invalid
from metaexpo.scenes import TEMPLATES, Booth, Catalog, Exhibitor, TemplateName, Text
from metaexpo.scenes.fields import Colour, HttpLink, SpecModel

#: Longest booth name and tagline, per language (the sign above the booth must stay legible).
MAX_NAME_CHARS = 60
MAX_TAGLINE_CHARS = 160
MAX_LINKS = 4


class Link(SpecModel):
    """An extra link on the booth's panel: a bilingual title and an http(s) URL."""

    title: Text
    url: HttpLink


class Colours(SpecModel):
    """A template booth's colours: ``accent`` (edges, header, counters) and ``panel`` (walls)."""

    accent: Colour
    panel: Colour


class BoothContent(SpecModel):
    """Everything about a booth an exhibitor can edit, apart from files (model, logo, poster)."""

    exhibitor: Exhibitor
    links: Annotated[list[Link], Field(default_factory=list, max_length=MAX_LINKS)]
    template: TemplateName
    colours: Colours

    @field_validator("exhibitor")
    @classmethod
    def _short_name_and_tagline(cls, exhibitor: Exhibitor) -> Exhibitor:
        for lang in ("zh", "en"):
            if len(exhibitor.name.pick(lang)) > MAX_NAME_CHARS:
                raise ValueError(f"the {lang} name is longer than {MAX_NAME_CHARS} characters")
            if len(exhibitor.tagline.pick(lang)) > MAX_TAGLINE_CHARS:
                raise ValueError(
                    f"the {lang} tagline is longer than {MAX_TAGLINE_CHARS} characters"
                )
        return exhibitor


#: The panel colour of template booths in the built hall (see scenebuild/palette.py).
DEFAULT_PANEL = "#f4f5f2"


def catalog_content(catalog: Catalog, booth: Booth) -> BoothContent:
    """A booth's content as the catalog describes it (revision 0)."""
    zone = catalog.zone(booth.zone)
    return BoothContent(
        exhibitor=booth.exhibitor,
        links=[],
        template=booth.template,
        colours=Colours(accent=zone.colour, panel=DEFAULT_PANEL),
    )


def fitting_templates(booth: Booth) -> list[TemplateName]:
    """The templates that fit in ``booth``'s slot, smallest first."""
    slot_w, slot_d = booth.footprint
    names = sorted(TEMPLATES, key=lambda n: TEMPLATES[n].width * TEMPLATES[n].depth)
    return [
        name
        for name in names
        if TEMPLATES[name].width <= slot_w and TEMPLATES[name].depth <= slot_d
    ]


def _problems(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "code": "invalid_field",
            "message": str(err["msg"]).removeprefix("Value error, "),
            "where": ".".join(str(p) for p in err["loc"]) or "content",
            "limit": None,
        }
        for err in exc.errors(include_url=False)
    ]


def parse_content(data: Any, catalog: Catalog, booth: Booth) -> BoothContent:
    """Validate ``data`` as the content of ``booth``; :class:`Invalid` lists every problem."""
    try:
        content = BoothContent.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        raise Invalid(f"the booth cannot be saved ({len(problems)} problem(s))", problems) from None
    problems = []
    unknown = [tag for tag in content.exhibitor.tags if tag not in catalog.tags]
    if unknown:
        problems.append(
            {
                "code": "unknown_tag",
                "message": f"unknown tag(s) {', '.join(unknown)}; choose from "
                + ", ".join(sorted(catalog.tags)),
                "where": "exhibitor.tags",
                "limit": None,
            }
        )
    allowed = fitting_templates(booth)
    if content.template not in allowed:
        problems.append(
            {
                "code": "template_too_large",
                "message": f"a {content.template} does not fit in this booth's "
                f"{booth.footprint[0]:g} × {booth.footprint[1]:g} m slot; choose "
                + " or ".join(allowed),
                "where": "template",
                "limit": f"{booth.footprint[0]:g} × {booth.footprint[1]:g} m",
            }
        )
    if problems:
        raise Invalid(f"the booth cannot be saved ({len(problems)} problem(s))", problems)
    return content
