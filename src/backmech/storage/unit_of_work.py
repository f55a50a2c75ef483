"""The SQL unit of work: one session, one transaction, all repositories, one actor for the audit log.

Nothing is saved unless ``commit()`` is called; leaving the block otherwise (or by
an exception) rolls back, as in cosmicpython's ``SqlAlchemyUnitOfWork``.

Example::

    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine)
    with uow_factory(actor=user.id) as uow:
        uow.patients.add(Patient(clinic_id=clinic.id, display_name="A. Patient"))
        uow.commit()
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backmech.storage.assessment_repository import SqlAssessmentRepository, SqlPlanEditRepository
from backmech.storage.check_in_repository import SqlCheckInRepository
from backmech.storage.engine import READ_ONLY_OPTION
from backmech.storage.movement_repository import SqlMovementAnalysisRepository
from backmech.storage.reminder_repository import SqlCalendarFeedRepository, SqlReminderRepository
from backmech.storage.repositories import (
    Auditor,
    SqlAuditLog,
    SqlClinicRepository,
    SqlInvitationRepository,
    SqlPatientRepository,
    SqlSessionLogRepository,
    SqlUserRepository,
    integrity_errors,
)
from backmech.storage.web_repositories import (
    SqlIntakeDraftRepository,
    SqlLoginAttemptRepository,
    SqlWebSessionRepository,
)

if TYPE_CHECKING:
    from backmech.services.ports import UnitOfWorkFactory

SETUP_LOCK_KEY = 0x6261636B6D656368 >> 1
"""The advisory lock id for first-admin set-up (from b"backmech", fits a signed bigint)."""


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository made on first use in this unit of work (most transactions use two or three of twelve)."""

    def __init__(self, kind: Callable[[Session, Auditor], R]) -> None:
        self._kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, uow: SqlUnitOfWork, owner: type | None = None) -> R:
        repository = self._kind(uow._require_session(), uow._auditor)
        uow.__dict__[self._name] = repository  # later reads find the instance attribute first
        return repository


class SqlUnitOfWork:
    """Satisfies :class:`backmech.services.ports.UnitOfWork` over a SQLAlchemy session."""

    clinics = _Repository(SqlClinicRepository)
    users = _Repository(SqlUserRepository)
    patients = _Repository(SqlPatientRepository)
    assessments = _Repository(SqlAssessmentRepository)
    movement_analyses = _Repository(SqlMovementAnalysisRepository)
    session_logs = _Repository(SqlSessionLogRepository)
    check_ins = _Repository(SqlCheckInRepository)
    reminders = _Repository(SqlReminderRepository)
    calendar_feeds = _Repository(SqlCalendarFeedRepository)
    plan_edits = _Repository(SqlPlanEditRepository)
    invitations = _Repository(SqlInvitationRepository)
    audit = _Repository(SqlAuditLog)
    web_sessions = _Repository(SqlWebSessionRepository)
    login_attempts = _Repository(SqlLoginAttemptRepository)
    intake_drafts = _Repository(SqlIntakeDraftRepository)

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        actor: UUID | None = None,
        turn: contextlib.AbstractContextManager[object] | None = None,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self.actor = actor
        self._session: Session | None = None
        self._turn = turn
        self.read_only = read_only

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; make a new one per transaction")
        if self._turn is not None:
            self._turn.__enter__()
        session = self._sessions()
        if self.read_only:
            # SQLite: a deferred BEGIN (no write lock). PostgreSQL: autocommit, so a lookup is
            # one round trip instead of BEGIN, query and ROLLBACK.
            options: dict[str, object] = {READ_ONLY_OPTION: True}
            if session.get_bind().dialect.name == "postgresql":
                options["isolation_level"] = "AUTOCOMMIT"
            session.connection(execution_options=options)
        self._auditor = Auditor(session, self.actor)
        self._session = session
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._require_session()
        try:
            session.close()  # rolls back whatever was not committed, and returns the connection
        finally:
            self._session = None
            for name in self._repository_names:
                self.__dict__.pop(name, None)
            if self._turn is not None:
                self._turn.__exit__(None, None, None)

    _repository_names: tuple[str, ...] = ()  # filled in below the class from its descriptors

    def commit(self) -> None:
        with integrity_errors():
            session = self._require_session()
            self._auditor.write_pending()
            session.commit()

    def rollback(self) -> None:
        self._require_session().rollback()

    def lock_setup(self) -> None:
        """Take the installation-wide set-up lock, held until this transaction ends.

        Call it before any read in the transaction. PostgreSQL: a transaction-scoped
        advisory lock (``pg_advisory_xact_lock``), so a second set-up waits and then
        sees the first one's committed rows. SQLite: the engine starts transactions
        with a deferred ``BEGIN``, so a harmless write statement is issued to take the
        database's single write lock now (what ``BEGIN IMMEDIATE`` would do); a second
        writer waits on the busy timeout and then reads the committed state.
        """
        session = self._require_session()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})
        else:
            session.execute(sa.text("DELETE FROM invitations WHERE 1 = 0"))

    def _require_session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work as a context manager: `with uow: ...`")
        return self._session


SqlUnitOfWork._repository_names = tuple(
    name for name, value in vars(SqlUnitOfWork).items() if isinstance(value, _Repository)
)


class SqlUnitOfWorkFactory:
    """Makes a fresh :class:`SqlUnitOfWork` per transaction; satisfies ``UnitOfWorkFactory``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._sqlite_turns = threading.RLock() if engine.dialect.name == "sqlite" else None

    def __call__(self, *, actor: UUID | None = None, read_only: bool = False) -> SqlUnitOfWork:
        """A new unit of work; on SQLite, transactions of this process that write take turns.

        ``read_only=True`` is for a transaction that only reads records with no audit
        trail (a session lookup): on SQLite it neither waits for the turn nor takes the
        write lock.

        SQLite has one writer at a time and almost every transaction writes (audit
        events). Left to the database, waiting threads poll with SQLite's busy handler,
        which sleeps up to 100 ms between tries: under load most requests were fast and
        a few waited seconds (benchmarks/web.py). A process-wide lock hands the database
        over at once instead; other processes (a CLI run) still wait on the busy timeout.
        """
        turn = None if read_only else self._sqlite_turns
        return SqlUnitOfWork(self._sessions, actor=actor, turn=turn, read_only=read_only)


if TYPE_CHECKING:

    def _satisfies_the_port(engine: Engine) -> UnitOfWorkFactory:
        """mypy proves here that the SQL adapter implements the service ports."""
        return SqlUnitOfWorkFactory(engine)
