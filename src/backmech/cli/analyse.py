"""``backmech analyse``: one movement video (or many) → metrics, findings, overlay and plot."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from backmech.bootstrap import movement_service
from backmech.cli.files import write_atomic
from backmech.cli.internal_errors import EXIT_INTERNAL, log_to_file
from backmech.cli.render import dumps
from backmech.domain.errors import BackmechError, InputError
from backmech.domain.results.model import MovementReport
from backmech.services.incidents import new_reference
from backmech.services.movement import MovementOutcome, MovementService, movement_report

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".3gp"})


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def analyse_one(service: MovementService, video: Path, test: str, *, show_progress: bool) -> MovementOutcome:
    """Analyse one clip, with a progress bar on standard error when asked."""
    if not show_progress:
        return service.analyse(video, test)
    with _progress() as bar:
        task = bar.add_task(f"{test}: {video.name}", total=None)

        def step(done: int, expected: int | None) -> None:
            bar.update(task, completed=done, total=expected)

        return service.analyse(video, test, progress=step)


def write_outputs(
    service: MovementService, video: Path, outcome: MovementOutcome, overlay: Path | None, plot: Path | None
) -> None:
    """Overlay video and angle plot, each written whole or not at all."""
    from backmech.motion.overlay import write_overlay, write_plot

    if plot is not None:
        tmp = plot.with_name(f".{plot.name}.tmp.png")
        write_plot(outcome, tmp)
        tmp.replace(plot)
    if overlay is not None:
        summary, frames = service.open_video(video)
        tmp = overlay.with_name(f".{overlay.name}.tmp.mp4")
        try:
            write_overlay(frames, outcome, tmp, summary.fps)
            tmp.replace(overlay)
        finally:
            tmp.unlink(missing_ok=True)


def print_outcome(outcome: MovementOutcome) -> None:
    """A readable summary: metrics with normal ranges, findings with reasons, set-up problems."""
    con = Console(highlight=False)
    r = outcome.result
    con.rule(f"[bold]{outcome.test}[/bold]  (person found in {outcome.raw.detection_rate:.0%} of frames)")
    for problem in r.view.problems:
        con.print(f"[yellow]Set-up: {escape(problem)}[/yellow]")
    table = Table(title=f"Metrics ({r.repetitions} repetitions)", show_lines=True)
    for col in ("metric", "value", "confidence", "what is normal"):
        table.add_column(col, overflow="fold")
    for m in r.metrics:
        value = "-" if m.value is None else f"{m.value:.1f} {m.unit}".strip()
        table.add_row(escape(m.name), value, f"{m.confidence:.2f}", escape(f"{m.normal} [{m.source}]"))
    con.print(table)
    if r.findings:
        con.print("[bold]Findings[/bold] (these feed the mechanism classification):")
        for f in r.findings:
            con.print(escape(f"• {f.reason} [{f.fact} = {f.value}] ({f.source})"))
    else:
        con.print("No findings outside the normal range.")
    for note in r.notes:
        con.print(f"[dim]{escape(note)}[/dim]")


def run_batch(folder: Path, test: str | None, out: Path | None, knowledge: Path | None) -> int:
    """Analyse every video in a folder using all cores; one JSON line per clip."""
    if not folder.is_dir():
        raise InputError(str(folder), "is not a folder", allowed="a folder of video files")
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    if not videos:
        raise InputError(str(folder), "holds no video files", allowed=", ".join(sorted(VIDEO_SUFFIXES)))
    jobs = [(v, test or _test_from_name(v), knowledge) for v in videos]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        records = list(pool.map(_batch_job, jobs))
    lines = [dumps(record) for record in records]
    payload = b"\n".join(lines) + b"\n"
    if out is None:
        sys.stdout.buffer.write(payload)
    else:
        write_atomic(out, payload)
    failed = sum(1 for record in records if not record["ok"])
    sys.stderr.write(f"{len(records) - failed} of {len(records)} videos analysed; {failed} failed\n")
    if any(_internal(record) for record in records):
        return EXIT_INTERNAL
    return 2 if failed else 0


def _internal(record: dict[str, object]) -> bool:
    error = record.get("error")
    return isinstance(error, dict) and bool(error.get("internal"))


def _test_from_name(video: Path) -> str:
    """``forward-bend_2026-01-02.mp4`` → ``forward-bend`` (for batches without --test)."""
    from backmech.motion.protocols import PROTOCOLS

    stem = video.stem.lower()
    for test in sorted(PROTOCOLS, key=len, reverse=True):
        if stem.startswith(test):
            return test
    return ""


def _batch_job(job: tuple[Path, str, Path | None]) -> dict[str, object]:
    video, test, knowledge = job
    try:
        if not test:
            raise InputError(
                str(video),
                "has no test in its name and no --test was given",
                allowed="name files like forward-bend_1.mp4 or pass --test",
            )
        service = movement_service(knowledge)
        outcome = service.analyse(video, test)
        return {"video": str(video), "ok": True, "result": movement_report(outcome)}
    except BackmechError as error:
        return {
            "video": str(video),
            "ok": False,
            "error": {"message": error.user_message, "hint": error.hint},
        }
    except Exception:  # one video's fault in backmech must not lose the others' results
        reference = new_reference()
        where = log_to_file(reference, f"backmech analyse --batch: {video} crashed")
        return {
            "video": str(video),
            "ok": False,
            "error": {
                "message": f"backmech stopped on an internal error (reference {reference}) with this video.",
                "hint": f"The details are in {where}; please report the reference." if where else "",
                "internal": True,
            },
        }


def with_video_findings(
    data: object, videos: list[str], knowledge: Path | None
) -> tuple[object, list[MovementReport]]:
    """Analyse ``TEST=FILE`` videos and add their findings to the intake's ``findings``.

    Findings already written in the intake (by a clinician) are kept where a video does
    not measure the same fact; a video measurement replaces an older value.
    """
    from collections.abc import Mapping

    if not isinstance(data, Mapping):
        raise InputError("(intake)", "must be a JSON object")
    service = movement_service(knowledge)
    merged: dict[str, object] = dict(data)
    findings = dict(merged.get("findings") or {})  # type: ignore[call-overload]
    views: list[MovementReport] = []
    for spec in videos:
        test, sep, file = spec.partition("=")
        if not sep or not file:
            raise InputError("--video", f"{spec!r} is not TEST=FILE", allowed="e.g. forward-bend=clip.mp4")
        outcome = analyse_one(service, Path(file), test, show_progress=sys.stderr.isatty())
        findings.update(outcome.facts())
        views.append(movement_report(outcome))
    merged["findings"] = findings
    return merged, views
