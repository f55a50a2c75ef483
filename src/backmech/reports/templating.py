"""The Jinja2 environment and stylesheets of the printed reports.

Why its own environment (not the web's): the reports are documents, not pages. They
load no assets (the CSS is inlined, the charts are inline SVG) so one HTML string is
the whole document, for a browser, an e-mail attachment or WeasyPrint. Autoescape is
on and undefined names fail loudly, so a template typo is an error in the tests
rather than an empty line in a patient's report.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from backmech.domain.results import DISCLAIMER


def stylesheet(name: str) -> str:
    """A CSS file shipped in ``reports/templates`` (package data)."""
    return files("backmech.reports").joinpath("templates", name).read_text(encoding="utf-8")


def number(value: float | int | None, decimals: int = 1) -> str:
    """A number without trailing zeros ("28", "4.7"); an em dash for unknown."""
    if value is None:
        return "—"
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value: float | int | None, decimals: int = 1) -> str:
    """A change with its sign ("-14", "+1.5", "0")."""
    if value is None:
        return "—"
    text = number(abs(value), decimals)
    if text == "0":
        return "0"
    return ("−" if value < 0 else "+") + text


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as "5 Jan 2027" (the reports are read on paper, so no ISO dates)."""
    if value is None:
        return "—"
    return f"{value.day} {value:%b %Y}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("backmech.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.filters["signed"] = signed
    env.filters["day"] = day
    env.globals["disclaimer"] = DISCLAIMER
    return env


def render(template: str, context: dict[str, object]) -> str:
    """One report template rendered with the report stylesheet inlined."""
    css = Markup(stylesheet("report.css"))  # package data, not user input: inlined as is
    return environment().get_template(template).render(css=css, **context)
