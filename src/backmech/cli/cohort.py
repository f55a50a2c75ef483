"""``backmech cohort``: outcome tables over a database, for clinics and researchers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from backmech.cli.server import DatabaseUrl, DataDir, _settings


def cohort(
    measure: Annotated[str, typer.Option("--measure", help="The outcome: odi, nprs, rmdq or psfs.")] = "odi",
    clinic: Annotated[
        str | None, typer.Option("--clinic", help="One clinic's id (default: every clinic).")
    ] = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the tables as CSV files into this folder.", file_okay=False),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw improvement by adherence band as a PNG.", dir_okay=False),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Outcomes by mechanism group, adherence against outcome, and responders (no individual is listed)."""
    from rich.console import Console
    from rich.table import Table

    from backmech.analytics.cohort import cohort_tables
    from backmech.analytics.cohort_rows import read_outcomes
    from backmech.bootstrap import assessment_service, storage

    kb = assessment_service().kb
    measures = kb.progression.reassessment.measures
    if measure not in measures:
        sys.stderr.write(
            f"error: --measure {measure!r} is not tracked.\n  Choose one of: {', '.join(measures)}.\n"
        )
        raise typer.Exit(2)
    clinic_id: UUID | None = None
    if clinic is not None:
        try:
            clinic_id = UUID(clinic)
        except ValueError:
            sys.stderr.write(f"error: --clinic {clinic!r} is not a clinic id.\n  Give the clinic's UUID.\n")
            raise typer.Exit(2) from None
    settings = _settings(data_dir, database_url)
    with storage(settings.database_url) as opened:
        outcomes = read_outcomes(opened.engine, kb, dt.date.today(), clinic_id)
    tables = cohort_tables(outcomes, measure)
    console = Console()
    spec = measures[measure]
    console.print(f"[bold]{tables.patients} patients[/bold]; outcome: {spec.name} (change towards better).")
    console.print("Groups under 5 people are marked *: too small to read. backmech supports decisions only.")
    for title, frame in (
        ("By mechanism group (baseline)", tables.by_mechanism),
        ("By adherence (active days of the programme)", tables.by_adherence),
        ("Responders (MCID rule)", tables.responders),
    ):
        table = Table(title=title)
        for column in frame.columns:
            table.add_column(column)
        for row in frame.iter_rows():
            table.add_row(*("" if value is None else str(value) for value in row))
        console.print(table)
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        tables.by_mechanism.write_csv(csv_dir / f"cohort-{measure}-by-mechanism.csv")
        tables.by_adherence.write_csv(csv_dir / f"cohort-{measure}-by-adherence.csv")
        tables.responders.write_csv(csv_dir / f"cohort-{measure}-responders.csv")
    if plot is not None:
        _plot(tables.by_adherence, spec.name, plot)


def _plot(frame: object, name: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import polars as pl

    assert isinstance(frame, pl.DataFrame)
    rows = frame.filter(pl.col("mean_improvement").is_not_null()).sort("adherence_band")
    figure, axis = plt.subplots(figsize=(6, 3.5), dpi=100)
    axis.bar(rows["adherence_band"].to_list(), rows["mean_improvement"].to_list(), color="#2a6f97")
    for x, (value, n) in enumerate(zip(rows["mean_improvement"].to_list(), rows["n"].to_list(), strict=True)):
        axis.annotate(f"n={n}", (x, value), ha="center", va="bottom")
    axis.set_ylabel(f"Mean improvement, {name} (points)")
    axis.set_xlabel("Active days of the programme")
    axis.set_title("Improvement by adherence")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
