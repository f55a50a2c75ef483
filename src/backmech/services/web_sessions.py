"""Signed-in sessions: opaque random tokens held by the client, only their SHA-256 stored.

Why server-side sessions rather than signed cookies: signing out, an expired
account or a changed password must end a session at once on every app server;
a signed cookie stays valid until it expires. One indexed primary-key read per
request is cheap on both databases.

Expiry follows OWASP's Session Management Cheat Sheet: an idle timeout and an
absolute timeout, both enforced on the server. ``last_seen_at`` is written at most
once a minute (``TOUCH_EVERY``), so a busy page does not turn every read into a write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from backmech.services.ports import SignedInUser, UnitOfWorkFactory, User, WebSession

TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lives: 60 minutes idle, 12 hours at most (health data on shared devices)."""

    idle: dt.timedelta = dt.timedelta(minutes=60)
    absolute: dt.timedelta = dt.timedelta(hours=12)


def session_id(token: str) -> str:
    """What storage keeps for ``token``: its SHA-256 (hex). A leaked table cannot be replayed."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    uow_factory: UnitOfWorkFactory, user: User, now: dt.datetime, policy: SessionPolicy
) -> tuple[str, WebSession]:
    """A new session for ``user``; returns the token to hand to the client (once) and the stored record."""
    token = secrets.token_urlsafe(32)
    record = WebSession(
        id=session_id(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
    )
    with uow_factory(actor=user.id) as uow:
        uow.web_sessions.delete_expired(now)
        uow.web_sessions.add(record)
        uow.commit()
    return token, record


def resolve_session(
    uow_factory: UnitOfWorkFactory, token: str, now: dt.datetime, policy: SessionPolicy
) -> tuple[WebSession, SignedInUser] | None:
    """The live session and its user for ``token``, else ``None`` (unknown, expired, idle or user gone).

    A dead session found here is deleted, so its token cannot be tried again.
    """
    if not token or len(token) > 128:
        return None
    key = session_id(token)
    with uow_factory(actor=None, read_only=True) as uow:
        pair = uow.web_sessions.get_with_user(key)
    if pair is None:
        return None  # unknown, or its user was deleted (the session went with it)
    found, user = pair
    if now >= found.expires_at or now - found.last_seen_at >= policy.idle:
        with uow_factory(actor=None) as uow:
            uow.web_sessions.delete(key)
            uow.commit()
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        with uow_factory(actor=None) as uow:
            uow.web_sessions.touch(key, now)
            uow.commit()
    return found, user


def end_session(uow_factory: UnitOfWorkFactory, token: str) -> None:
    """Sign out: the session is deleted on the server, whatever the client keeps."""
    with uow_factory(actor=None) as uow:
        uow.web_sessions.delete(session_id(token))
        uow.commit()
