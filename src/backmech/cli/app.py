"""The ``backmech`` command. Commands parse arguments, call a service, and render.

Imports of the engine, YAML, pydantic and rich happen inside the commands so that
``backmech --help`` starts quickly (benchmarks/engine.py measures it).

Exit codes: 0 success; 2 bad input (the message names the field and what is
allowed); 3 a broken knowledge base; 1 an unexpected internal error (a message with a
reference; the traceback is in the data folder's errors.log, see cli/internal_errors.py).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from backmech.domain.errors import BackmechError
    from backmech.domain.results import AssessmentResult, MovementReport

EXIT_BAD_INPUT = 2
EXIT_BAD_KNOWLEDGE = 3

app = typer.Typer(
    name="backmech",
    help=(
        "Mechanism-based assessment and recovery planning for low back pain. "
        "backmech supports decisions; it does not replace a clinician."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class SchemaKind(StrEnum):
    intake = "intake"
    result = "result"


def _fail(error: BackmechError) -> NoReturn:
    from backmech.domain.errors import KnowledgeError

    sys.stderr.write(f"error: {error.user_message}\n")
    if error.hint:
        sys.stderr.write(f"  {error.hint}\n")
    raise typer.Exit(EXIT_BAD_KNOWLEDGE if isinstance(error, KnowledgeError) else EXIT_BAD_INPUT)


@app.command()
def assess(
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="Intake JSON file (see `backmech schema intake`). Without it, "
            "the assessment is interactive.",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the machine-readable result.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a printable HTML report here.", dir_okay=False)
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="Assess every case in a folder of *.json files or a .jsonl file."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="With --batch: a folder for one result per case, or a .jsonl file. "
            "Default: JSON lines on standard output.",
        ),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Interactive: where to keep answers so you can resume later."),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option("--resume", help="Interactive: continue from answers saved earlier with --save."),
    ] = None,
    knowledge: Annotated[
        Path | None,
        typer.Option(
            "--knowledge", help="Use another knowledge-base folder (for clinicians editing it).", hidden=True
        ),
    ] = None,
    video: Annotated[
        list[str] | None,
        typer.Option(
            "--video",
            help="A movement-test video as TEST=FILE (e.g. forward-bend=clip.mp4); repeat for more. "
            "Its findings join the intake's and can change the mechanism and the plan.",
        ),
    ] = None,
) -> None:
    """Assess a person: red flags first, then scores, mechanism with evidence, and a plan."""
    from backmech.domain.errors import BackmechError

    try:
        if batch is not None:
            from backmech.cli.batch import run_batch

            raise typer.Exit(run_batch(batch, out, knowledge))
        if input_file is None:
            from backmech.cli.interactive import run_interactive

            run_interactive(save=save, resume=resume, html=html, as_json=as_json, knowledge=knowledge)
            return
        from backmech.bootstrap import assessment_service
        from backmech.cli.files import read_json

        data = read_json(input_file)
        service = assessment_service(knowledge)
        if video:
            from backmech.cli.analyse import with_video_findings

            data, movement = with_video_findings(data, video, knowledge)
            result = service.assess(data)
            result = _with_movement(result, movement)
        else:
            result = service.assess(data)
        from backmech.cli.render import emit_result

        emit_result(result, service.kb, as_json=as_json, html=html)
    except BackmechError as error:
        _fail(error)


def _with_movement(result: AssessmentResult, movement: list[MovementReport]) -> AssessmentResult:
    from dataclasses import replace

    return replace(result, movement_tests=tuple(movement))


@app.command()
def analyse(
    video: Annotated[
        Path | None, typer.Argument(help="The movement video (any phone video; rotation is handled).")
    ] = None,
    test: Annotated[
        str | None,
        typer.Option(
            "--test",
            help="forward-bend, backward-bend, side-bend, rotation, squat, hip-hinge, single-leg-stance, "
            "knee-to-wall, sitting or gait.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print metrics and findings as JSON.")] = False,
    overlay: Annotated[
        Path | None, typer.Option("--overlay", help="Write the video with the skeleton drawn on it (MP4).")
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the angle traces (PNG).")] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="Analyse every video in a folder, using all cores.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="With --batch: write JSON lines here.")] = None,
    keypoints: Annotated[
        Path | None,
        typer.Option(
            "--keypoints", help="Analyse landmarks recorded elsewhere (CSV or JSON) instead of a video."
        ),
    ] = None,
    knowledge: Annotated[Path | None, typer.Option("--knowledge", hidden=True)] = None,
) -> None:
    """Analyse a movement-test video: pose, kinematics, metrics with normal ranges, findings."""
    from backmech.domain.errors import BackmechError, InputError

    try:
        from backmech.bootstrap import movement_service
        from backmech.cli import analyse as cmd

        if batch is not None:
            raise typer.Exit(cmd.run_batch(batch, test, out, knowledge))
        service = movement_service(knowledge)
        if test is None:
            raise InputError("--test", "is required", allowed=", ".join(service.tests()))
        if keypoints is not None:
            from backmech.motion.pose.recorded import load_recorded

            outcome = service.analyse_sequence(load_recorded(keypoints), test)
        elif video is None:
            raise InputError("VIDEO", "is required (or --keypoints FILE, or --batch DIR)")
        else:
            outcome = cmd.analyse_one(service, video, test, show_progress=not as_json and sys.stderr.isatty())
            cmd.write_outputs(service, video, outcome, overlay, plot)
        if as_json:
            from backmech.services.codec import dumps
            from backmech.services.movement import movement_report

            sys.stdout.buffer.write(dumps(movement_report(outcome), indent=True) + b"\n")
        else:
            cmd.print_outcome(outcome)
    except BackmechError as error:
        _fail(error)


@app.command("movement-tests")
def movement_tests(
    test: Annotated[str | None, typer.Argument(help="One test id; without it, all are listed.")] = None,
) -> None:
    """How to perform and film each movement test (instructions and camera set-up)."""
    from backmech.domain.errors import BackmechError, InputError

    try:
        from rich.console import Console

        from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
        from backmech.knowledge.loader import default_knowledge
        from backmech.knowledge.movement_test_files import load_movement_tests

        specs = load_movement_tests(
            KNOWLEDGE_ROOT / "movement_tests", KNOWLEDGE_ROOT, SourceChecker(set(default_knowledge().sources))
        )
        if test is not None and test not in specs:
            raise InputError("TEST", f"unknown movement test {test!r}", allowed=", ".join(sorted(specs)))
        con = Console(highlight=False)
        for spec in [specs[test]] if test else [specs[k] for k in sorted(specs)]:
            con.rule(f"[bold]{spec.id}[/bold]: {spec.name}")
            con.print(spec.purpose)
            con.print(f"[bold]Film:[/bold] {', '.join(str(v) for v in spec.views)} view")
            for line in spec.camera:
                con.print(f"  • {line}")
            con.print("[bold]Do:[/bold]")
            for i, line in enumerate(spec.instructions, start=1):
                con.print(f"  {i}. {line}")
            con.print(f"[dim]Then: backmech analyse VIDEO --test {spec.id}[/dim]")
    except BackmechError as error:
        _fail(error)


class DbAction(StrEnum):
    upgrade = "upgrade"
    downgrade = "downgrade"
    current = "current"


@app.command()
def db(
    action: Annotated[DbAction, typer.Argument(help="upgrade (to the newest schema), downgrade, current")],
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Data folder (default: per-user, or $BACKMECH_DATA_DIR).", file_okay=False
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Database URL (default: SQLite in the data folder, or $BACKMECH_DATABASE_URL).",
        ),
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Target revision for upgrade/downgrade.")] = None,
) -> None:
    """Create or migrate the database (SQLite by default, PostgreSQL by URL)."""
    import os

    from backmech.domain.errors import BackmechError, InputError
    from backmech.settings import Settings

    try:
        settings = Settings.resolve(os.environ, data_dir=data_dir, database_url=database_url)
        try:
            from sqlalchemy.exc import ArgumentError, OperationalError

            from backmech.storage import migrate

            if settings.database_url.startswith("sqlite"):
                settings.ensure_folders()
            if action is DbAction.upgrade:
                migrate.upgrade(settings.database_url, to or "head")
            elif action is DbAction.downgrade:
                migrate.downgrade(settings.database_url, to or "base")
            revision = migrate.current(settings.database_url)
        except (ArgumentError, OperationalError, ValueError) as exc:
            raise InputError(
                "--database-url",
                f"cannot use {settings.safe_url()}: {str(exc).splitlines()[0]}",
                allowed="sqlite:///path/to/file.db or postgresql://user:password@host/database",
            ) from exc
        sys.stdout.write(f"{settings.safe_url()}: schema revision {revision or 'none (empty database)'}\n")
    except BackmechError as error:
        _fail(error)


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="intake or result")],
) -> None:
    """Print the JSON Schema of the intake or of the result."""
    from backmech.domain.errors import BackmechError

    try:
        from backmech.bootstrap import assessment_service
        from backmech.cli.render import dumps
        from backmech.services.schemas import intake_schema, result_schema

        service = assessment_service()
        doc = intake_schema(service.kb) if kind is SchemaKind.intake else result_schema(service.kb)
        sys.stdout.buffer.write(dumps(doc, indent=True) + b"\n")
    except BackmechError as error:
        _fail(error)


@app.command("check-knowledge")
def check_knowledge(
    root: Annotated[
        Path | None,
        typer.Argument(help="Knowledge folder to validate (default: the bundled one).", file_okay=False),
    ] = None,
) -> None:
    """Validate a knowledge base: schemas, sources, facts, slugs and ladders."""
    from backmech.domain.errors import BackmechError

    try:
        from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
        from backmech.knowledge.loader import load_knowledge
        from backmech.knowledge.movement_test_files import load_movement_tests

        kb = load_knowledge(root) if root is not None else load_knowledge()
        folder = root or KNOWLEDGE_ROOT
        tests = load_movement_tests(folder / "movement_tests", folder, SourceChecker(set(kb.sources)))
    except BackmechError as error:
        _fail(error)
    rules = len(kb.mechanisms.rules) + len(kb.safety.rules)
    sys.stdout.write(
        f"ok: {len(kb.sources)} sources, {len(kb.vocabulary.specs)} facts, "
        f"{len(kb.questionnaires)} questionnaires, {len(kb.safety.questions)} red-flag questions, "
        f"{len(kb.mechanisms.mechanisms)} mechanisms, {rules} rules, "
        f"{len(kb.exercises)} exercises, {len(kb.education)} education modules, "
        f"{len(tests)} movement tests\n"
    )


@app.command()
def vocabulary(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/vocabulary.md.")] = False,
) -> None:
    """List every fact an intake may give, with its type and allowed values."""
    from backmech.domain.errors import BackmechError

    try:
        from backmech.bootstrap import assessment_service
        from backmech.cli.render import dumps, print_vocabulary
        from backmech.services.schemas import vocabulary_markdown, vocabulary_table

        kb = assessment_service().kb
        rows = vocabulary_table(kb)
        if markdown:
            sys.stdout.write(vocabulary_markdown(kb))
        elif as_json:
            sys.stdout.buffer.write(dumps(rows, indent=True) + b"\n")
        else:
            print_vocabulary(rows)
    except BackmechError as error:
        _fail(error)


def _register_server_commands() -> None:
    from backmech.cli.cohort import cohort
    from backmech.cli.server import serve, worker

    app.command()(serve)
    app.command()(worker)
    app.command()(cohort)


_register_server_commands()


def _register_data_commands() -> None:
    from backmech.cli.data import erase, export, import_

    app.command("export")(export)
    app.command("import")(import_)
    app.command("erase")(erase)


_register_data_commands()


def main() -> None:
    """Console-script entry point; an unexpected error ends in a message with a reference, not a traceback."""
    try:
        app(prog_name="backmech")
    except Exception:
        from backmech.cli.internal_errors import report_internal_error

        raise SystemExit(report_internal_error()) from None
