"""HTML report → PDF bytes with WeasyPrint, loaded only when a PDF is asked for.

Why lazily: WeasyPrint needs Pango from the operating system. Importing it at module
level would make the web app and the CLI fail to start on a machine without Pango,
although only the PDF needs it; the HTML reports work everywhere.
"""

from __future__ import annotations

from backmech.domain.errors import BackmechError

INSTALL_HINT = (
    "Install Pango (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; "
    "macOS: brew install pango) and reinstall backmech so WeasyPrint is present; "
    "the HTML report works without it."
)


class PdfUnavailableError(BackmechError):
    """WeasyPrint or the Pango library it needs cannot be loaded."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "PDF reports need WeasyPrint and the Pango text library, which could not be loaded.",
            hint=INSTALL_HINT,
            detail=detail,
        )


def to_pdf(html: str) -> bytes:
    """A self-contained HTML report (inline CSS and SVG) as an A4 PDF document."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # no type information shipped
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library is missing
        raise PdfUnavailableError(f"{type(exc).__name__}: {exc}") from exc
    document: bytes = HTML(string=html, base_url=None).write_pdf()
    return document
