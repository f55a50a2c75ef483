"""``backmech export``, ``import`` and ``erase``: a person's data, from the clinic's own machine.

Each acts as a named clinician or administrator (``--as EMAIL``), so the audit log
says who did it, on the configured database (``--data-dir`` / ``--database-url``, as
``backmech db``). The database must exist and be migrated: these commands never
create one (a mistyped ``--data-dir`` would otherwise "export" from an empty database).

Exit codes: 0 done; 2 bad input, with what was wrong and what to do (unknown
patient, another clinic's patient, a missing ``--yes``, a corrupt file).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from uuid import UUID

import typer

if TYPE_CHECKING:
    from backmech.domain.errors import BackmechError
    from backmech.services.ports import UnitOfWorkFactory
    from backmech.settings import Settings

EXIT_BAD_INPUT = 2

PatientId = Annotated[
    str, typer.Argument(help="The patient's id (as on their page or in `backmech export`).")
]
ActAs = Annotated[
    str, typer.Option("--as", help="Your email: a clinician or administrator of the patient's clinic.")
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data folder (default: per-user, or $BACKMECH_DATA_DIR).", file_okay=False
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="Database URL (default: SQLite in the data folder, or $BACKMECH_DATABASE_URL)."
    ),
]

SESSION_LOGS_CSV = "session-logs.csv"
SCORES_CSV = "questionnaire-scores.csv"


def export(
    patient_id: PatientId,
    out: Annotated[Path, typer.Option("--out", help="Write the full export (JSON) here.", dir_okay=False)],
    as_email: ActAs,
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv", help=f"Also write {SESSION_LOGS_CSV} and {SCORES_CSV} in this folder."),
    ] = None,
    ical: Annotated[
        Path | None,
        typer.Option("--ical", help="Also write the plan's calendar feed (iCalendar) here.", dir_okay=False),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export everything stored about a patient: one JSON file, optionally CSV tables and a calendar."""
    from backmech.domain.errors import BackmechError

    try:
        from backmech.cli.files import write_atomic
        from backmech.services.patient_data import export_document, read_export, staff_account

        wanted = _patient_id(patient_id)
        with _database(data_dir, database_url) as (uow_factory, _settings):
            actor = staff_account(uow_factory, as_email)
            exported = read_export(uow_factory, actor, wanted, actor.clinic_id)
        files: dict[Path, bytes] = {out: export_document(exported)}
        record = exported.record
        if csv_dir is not None:
            from backmech.exports.csv_export import questionnaire_scores_csv, session_logs_csv

            files[csv_dir / SESSION_LOGS_CSV] = session_logs_csv(record.session_logs).encode("utf-8")
            files[csv_dir / SCORES_CSV] = questionnaire_scores_csv(record.assessments).encode("utf-8")
        if ical is not None:
            import datetime as dt

            from backmech.exports.ical import patient_calendar
            from backmech.knowledge.loader import default_knowledge

            files[ical] = patient_calendar(record, kb=default_knowledge(), today=dt.date.today())
        for path, data in files.items():  # everything was made first: an error above writes nothing
            write_atomic(path, data)
        sys.stdout.write(
            f"exported patient {wanted}: {len(record.assessments)} assessments, "
            f"{len(record.movement_analyses)} movement analyses (videos not included), "
            f"{len(record.session_logs)} session logs, {len(record.plan_edits)} plan edits\n"
        )
        for path in files:
            sys.stdout.write(f"  wrote {path}\n")
    except BackmechError as error:
        _fail(error)


def import_(
    file: Annotated[Path, typer.Argument(help="A JSON file written by `backmech export`.", dir_okay=False)],
    as_email: ActAs,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import a patient exported by `backmech export` into your clinic (never overwrites a stored one)."""
    from backmech.domain.errors import BackmechError

    try:
        from backmech.input_files import read_limited
        from backmech.services.patient_data import MAX_DOCUMENT_BYTES, import_patient, staff_account

        document = read_limited(
            file, MAX_DOCUMENT_BYTES, what="an export", allowed="a JSON file written by `backmech export`"
        )
        with _database(data_dir, database_url) as (uow_factory, _settings):
            actor = staff_account(uow_factory, as_email)
            patient = import_patient(uow_factory, actor, actor.clinic_id, document)
        sys.stdout.write(f"imported patient {patient.id} into clinic {patient.clinic_id}\n")
    except BackmechError as error:
        _fail(error)


def erase(
    patient_id: PatientId,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help='Why (e.g. "the patient\'s request of 2026-05-01"); printed on the receipt.'
        ),
    ],
    as_email: ActAs,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: erasure cannot be undone.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Erase a patient and everything about them (records, login, videos); the audit trail is kept."""
    from backmech.domain.errors import BackmechError, InputError

    try:
        wanted = _patient_id(patient_id)
        if not yes:
            raise InputError(
                "--yes",
                "is required: erasure deletes the patient's records, login and videos for good",
                allowed="--yes, after exporting anything the clinic must keep (backmech export)",
            )
        from backmech.services.patient_data import staff_account
        from backmech.services.patient_erasure import erase_patient

        with _database(data_dir, database_url) as (uow_factory, settings):
            actor = staff_account(uow_factory, as_email)
            receipt = erase_patient(uow_factory, actor, wanted, actor.clinic_id, reason)
        removed = _delete_media(settings.media_dir, receipt.media_paths)
        sys.stdout.write(
            f"erased patient {wanted}: {receipt.assessments} assessments, "
            f"{receipt.movement_analyses} movement analyses ({removed} video files), "
            f"{receipt.session_logs} session logs, {receipt.plan_edits} plan edits, "
            f"{receipt.check_ins} check-ins, "
            f"{receipt.intake_drafts} intake drafts, {receipt.accounts} logins, "
            f"{receipt.web_sessions} web sessions, {receipt.invitations} invitations\n"
            "  the audit log keeps its events and this erasure's\n"
        )
    except BackmechError as error:
        _fail(error)


def _patient_id(text: str) -> UUID:
    from backmech.domain.errors import InputError

    try:
        return UUID(text)
    except ValueError:
        raise InputError(
            "PATIENT_ID",
            f"{text!r} is not a patient id",
            allowed="a UUID such as 3f2b…, from the patient's page",
        ) from None


@contextmanager
def _database(
    data_dir: Path | None, database_url: str | None
) -> Iterator[tuple[UnitOfWorkFactory, Settings]]:
    """A unit-of-work factory on an existing database at the newest schema (an input error otherwise)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from backmech.bootstrap import open_storage
    from backmech.domain.errors import InputError
    from backmech.settings import Settings
    from backmech.storage import migrate

    settings = Settings.resolve(os.environ, data_dir=data_dir, database_url=database_url)
    where = settings.safe_url()
    setup = "create it with `backmech db upgrade` (same --data-dir/--database-url)"
    try:
        url = make_url(settings.database_url)
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            option = "--database-url" if database_url else "--data-dir"
            raise InputError(option, f"has no backmech database ({where})", allowed=setup)
        opened = open_storage(settings.database_url)
    except (ArgumentError, ValueError) as exc:
        raise InputError("--database-url", f"cannot use {where}: {str(exc).splitlines()[0]}") from exc
    try:
        if migrate.current(opened.engine) != migrate.head():
            raise InputError("--database-url", f"{where} is not at the newest schema", allowed=setup)
        yield opened.uow_factory, settings
    except DBAPIError as exc:
        first = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise InputError("--database-url", f"cannot use {where}: {first}") from exc
    finally:
        opened.close()


def _delete_media(media_dir: Path, paths: tuple[str, ...]) -> int:
    """Delete an erased patient's video files (and folders left empty), never outside the media folder."""
    root = media_dir.resolve()
    removed = 0
    for relative in paths:
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or target == root or not target.is_file():
            continue
        target.unlink()
        removed += 1
        for folder in target.parents:
            if folder == root or not folder.is_relative_to(root) or any(folder.iterdir()):
                break
            folder.rmdir()
    return removed


def _fail(error: BackmechError) -> NoReturn:
    sys.stderr.write(f"error: {error.user_message}\n")
    if error.hint:
        sys.stderr.write(f"  {error.hint}\n")
    raise typer.Exit(EXIT_BAD_INPUT)
