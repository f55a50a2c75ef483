"""The reports as PDF: WeasyPrint renders them on A4 with the charts drawn and coloured.

Each PDF's pages are rasterised with poppler's ``pdftoppm`` (installed by ``scripts/test``)
and looked at as pixels: page 1 must not be blank, and a chart page must show the
charts' own colours (an SVG that lost its styles renders black or not at all). The
PNGs are kept under ``test-artifacts/reports/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from report_records import TODAY

from backmech.domain.errors import BackmechError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.reports.clinician_letter import render_clinician_letter
from backmech.reports.patient_report import render_patient_report
from backmech.reports.pdf import to_pdf
from backmech.services.patient_record import PatientRecord

pytestmark = pytest.mark.needs("pdf")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
A4_POINTS = (595, 842)
RED, GREEN = (0xB3, 0x26, 0x1E), (0x1D, 0x6B, 0x3A)
"""The second series and the calendar tick (``reports/templates/charts.css``): only charts use them."""

Render = Callable[[PatientRecord, KnowledgeBase], str]
DOCUMENTS: dict[str, tuple[str, Render, range]] = {
    "patient-report": ("record", lambda r, kb: render_patient_report(r, kb, TODAY), range(3, 9)),
    "clinician-letter": ("record", lambda r, kb: render_clinician_letter(r, kb, TODAY, "Dr J"), range(2, 7)),
    "red-flag-report": ("red_flag_record", lambda r, kb: render_patient_report(r, kb, TODAY), range(1, 3)),
    "red-flag-letter": (
        "red_flag_record",
        lambda r, kb: render_clinician_letter(r, kb, TODAY, "Dr J"),
        range(1, 4),
    ),
}
"""Document → (record fixture, renderer, expected page count range)."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} (poppler-utils) is needed to look at the PDFs; scripts/test installs it"
    return found


def _pages(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert match, info
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size and (round(float(size[1])), round(float(size[2]))) == A4_POINTS, info
    return int(match[1])


def _rasterise(pdf: Path, first: int, last: int) -> list[Path]:
    prefix = pdf.with_suffix("")
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "60", "-f", str(first), "-l", str(last), str(pdf), str(prefix)],
        check=True,
    )
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def _pixels(png: Path) -> np.ndarray:
    image = np.asarray(imread(png))
    assert image.ndim == 3
    return (image[:, :, :3] * 255).astype(np.int16) if image.dtype != np.uint8 else image[:, :, :3]


def _near(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    return int((np.abs(pixels - np.array(colour)).sum(axis=2) < tolerance).sum())


@pytest.fixture(scope="module")
def pdfs(
    report_kb: KnowledgeBase,
    record: PatientRecord,
    red_flag_record: PatientRecord,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, int]]:
    """Each document rendered to a PDF file once: name → (path, pages)."""
    records = {"record": record, "red_flag_record": red_flag_record}
    folder = tmp_path_factory.mktemp("pdf")
    found = {}
    for name, (which, render, _) in DOCUMENTS.items():
        pdf_bytes = to_pdf(render(records[which], report_kb))
        assert pdf_bytes.startswith(b"%PDF-") and pdf_bytes.rstrip().endswith(b"%%EOF"), name
        pdf = folder / f"{name}.pdf"
        pdf.write_bytes(pdf_bytes)
        found[name] = (pdf, _pages(pdf))
    return found


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_page_count_is_in_range(name: str, pdfs: dict[str, tuple[Path, int]]) -> None:
    pages = pdfs[name][1]
    assert pages in DOCUMENTS[name][2], f"{name}: {pages} pages"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_page_one_is_not_blank_and_is_kept(name: str, pdfs: dict[str, tuple[Path, int]]) -> None:
    (png,) = _rasterise(pdfs[name][0], 1, 1)
    pixels = _pixels(png)
    ink = float((pixels.sum(axis=2) < 600).mean())
    assert 0.02 < ink < 0.5, f"{name}: {ink:.1%} of page 1 is ink"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTIFACTS / f"{name}-page-1.png")


@pytest.mark.parametrize("name", ["patient-report", "clinician-letter"])
def test_the_charts_render_in_their_colours(name: str, pdfs: dict[str, tuple[Path, int]]) -> None:
    pdf, pages = pdfs[name]
    pngs = _rasterise(pdf, 1, pages)
    red = [_near(_pixels(p), RED) for p in pngs]
    green = [_near(_pixels(p), GREEN) for p in pngs]
    assert max(red) > 50, f"no page shows the second series' red: {red}"
    if name == "patient-report":
        assert max(green) > 50, f"no page shows the calendar's green ticks: {green}"
    for png in pngs:
        pixels = _pixels(png)
        black = _near(pixels, (0, 0, 0), 10) / pixels[:, :, 0].size
        assert black < 0.05, f"{png.name}: {black:.1%} black (an SVG drawn without its styles?)"


def test_a_missing_weasyprint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails, as without Pango
    with pytest.raises(BackmechError) as caught:
        to_pdf("<p>x</p>")
    assert "Pango" in caught.value.user_message
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in caught.value.hint


def test_the_web_app_and_the_reports_import_without_weasyprint() -> None:
    code = (
        "import sys; import backmech.reports.patient_report, backmech.reports.clinician_letter, "
        "backmech.web.app, backmech.cli.app; print('weasyprint' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
