"""Accounts: password hashing, the first administrator, sign-in and who may act for a clinic.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher`` with its
default, RFC 9106 low-memory parameters); the password itself is never stored.
There is no default account or password: an installation starts with
:func:`create_first_admin`, which works exactly once.

Example::

    admin = create_first_admin(uow_factory, "lead@clinic.example", "a long passphrase", "Riverside Physio")
    user = authenticate(uow_factory, "lead@clinic.example", "a long passphrase")  # User or None

Invitations: :func:`invite` returns a random token to send to the invitee; only its
SHA-256 is stored, so a leaked database does not leak usable tokens.
:func:`accept_invitation` turns a valid token into an account, once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Sequence
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backmech.domain.errors import BackmechError
from backmech.services.ports import (
    Clinic,
    IntegrityViolation,
    Invitation,
    Patient,
    Role,
    UnitOfWork,
    UnitOfWorkFactory,
    User,
)

INVITATION_TTL = dt.timedelta(days=7)

MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
"""Argon2id at OWASP's Password Storage Cheat Sheet setting (19 MiB, 2 passes, 1 lane): about 0.15 s
per sign-in on one core of a small server. argon2-cffi's default (64 MiB, 3 passes, 4 lanes) took
0.5-0.7 s here, which on a 2-core clinic server turns a burst of sign-ins into a queue. Hashes made
with other parameters are replaced at the next sign-in (``verify_password``)."""


class AdminAlreadyExistsError(BackmechError):
    """``create_first_admin`` ran on an installation that already has an administrator."""

    def __init__(self) -> None:
        super().__init__(
            "An administrator already exists; the first administrator can be created only once.",
            hint="Sign in as an existing administrator to add people.",
        )


class WeakPasswordError(BackmechError):
    """A new password breaks the policy; ``problems`` says each way it does."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "The password was not accepted: " + "; ".join(self.problems) + ".",
            hint=f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters that is not your email.",
        )


class InvalidEmailError(BackmechError):
    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email!r} is not an email address.",
            hint="Give an address of the form name@example.org.",
        )


class AuthorisationError(BackmechError):
    """The actor may not do what was asked; the message names what was refused, never the data."""

    def __init__(self, refused: str, *, reason: str) -> None:
        super().__init__(f"Not allowed: {refused}.", hint=reason)
        self.refused = refused
        self.reason = reason


class InvalidInvitationError(BackmechError):
    """The invitation token is unknown, expired or already used; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"This invitation cannot be used: it is {reason}.",
            hint="Ask the clinic for a new invitation.",
        )


class AccountExistsError(BackmechError):
    def __init__(self) -> None:
        super().__init__(
            "An account with this email address already exists.",
            hint="Sign in with that account instead, or use another address.",
        )


def password_problems(password: str, email: str) -> list[str]:
    """Every way ``password`` breaks the minimum policy (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"it has {len(password)} characters and needs at least {MIN_PASSWORD_LENGTH}")
    if password.strip().lower() == email.strip().lower():
        problems.append("it is the same as the email address")
    return problems


def check_password_policy(password: str, email: str) -> None:
    """Raise :class:`WeakPasswordError` naming every problem with ``password``."""
    problems = password_problems(password, email)
    if problems:
        raise WeakPasswordError(problems)


def hash_password(password: str) -> str:
    """An Argon2id hash in PHC string form (``$argon2id$v=19$...``), salted at random."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches, and a fresh hash when the stored one uses outdated parameters.

    The second item is ``None`` unless the password matched and the hash should be
    replaced (``PasswordHasher.check_needs_rehash``); a malformed stored hash is a mismatch.
    """
    try:
        _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(password_hash):
        return True, _hasher.hash(password)
    return True, None


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown emails, so their timing matches known ones."""
    return _hasher.hash("backmech-dummy-password-never-valid")


def _check_email(email: str) -> str:
    email = email.strip()
    local, at, domain = email.partition("@")
    if not (at and local and "." in domain and " " not in email):
        raise InvalidEmailError(email)
    return email


def _any_admin(uow: UnitOfWork) -> bool:
    return any(
        user.role == Role.ADMIN for clinic in uow.clinics.list() for user in uow.users.for_clinic(clinic.id)
    )


def create_first_admin(uow_factory: UnitOfWorkFactory, email: str, password: str, clinic_name: str) -> User:
    """Create the installation's first clinic and its administrator; refuse if any admin exists.

    Raises :class:`AdminAlreadyExistsError`, :class:`WeakPasswordError` or
    :class:`InvalidEmailError`. The caller must ensure one setup runs at a time;
    the unique email column stops a duplicate of the same address.
    """
    email = _check_email(email)
    check_password_policy(password, email)
    name = clinic_name.strip()
    if not name:
        raise BackmechError("The clinic needs a name.", hint="Give the clinic's name as patients know it.")
    with uow_factory(actor=None) as uow:
        uow.lock_setup()
        if _any_admin(uow):
            raise AdminAlreadyExistsError
        clinic = uow.clinics.add(Clinic(name=name))
        user = uow.users.add(
            User(email=email, password_hash=hash_password(password), role=Role.ADMIN, clinic_id=clinic.id)
        )
        uow.commit()
    return user


def authenticate(uow_factory: UnitOfWorkFactory, email: str, password: str) -> User | None:
    """The user whose email and password match, else ``None``.

    An unknown email still costs one Argon2 verification (against a dummy hash), so
    response time does not reveal which emails have accounts.
    """
    with uow_factory(actor=None) as uow:
        user = uow.users.by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    ok, rehash = verify_password(user.password_hash, password)
    if not ok:
        return None
    if rehash is not None:
        # The stored hash used outdated Argon2 parameters: replace it now that we know the password.
        with uow_factory(actor=user.id) as uow:
            uow.users.update_password_hash(user.id, rehash)
            uow.commit()
        user = User(
            id=user.id,
            email=user.email,
            password_hash=rehash,
            role=user.role,
            clinic_id=user.clinic_id,
            created_at=user.created_at,
        )
    return user


def current_user(uow: UnitOfWork, actor: User) -> User:
    """The actor as stored now (role and clinic are taken from storage, not from the caller)."""
    stored = uow.users.get(actor.id)
    if stored is None:
        raise AuthorisationError("acting as an unknown user", reason="The account no longer exists.")
    return stored


def require_member(actor: User, clinic_id: UUID, action: str) -> None:
    """Refuse ``action`` unless ``actor`` belongs to ``clinic_id``."""
    if actor.clinic_id != clinic_id:
        raise AuthorisationError(action, reason="You are not a member of that clinic.")


def require_staff(
    uow: UnitOfWork,
    actor: User,
    clinic_id: UUID,
    action: str,
    reason: str = "Only the clinic's clinicians and administrators may do this; "
    "a patient asks their clinic, which does it for them.",
) -> User:
    """The actor as stored now, if a clinician or administrator of ``clinic_id``; else refused."""
    who = current_user(uow, actor)
    require_member(who, clinic_id, action)
    if who.role not in (Role.CLINICIAN, Role.ADMIN):
        raise AuthorisationError(action, reason=reason)
    return who


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of an invitation token: what storage keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _may_invite(inviter: Role, invitee: Role) -> bool:
    if inviter == Role.ADMIN:
        return True
    if inviter == Role.CLINICIAN:
        return invitee == Role.PATIENT
    return False


def invite(
    uow_factory: UnitOfWorkFactory,
    actor_id: UUID,
    email: str,
    role: Role,
    clinic_id: UUID,
    now: dt.datetime,
    ttl: dt.timedelta = INVITATION_TTL,
) -> str:
    """Invite ``email`` to join ``clinic_id`` as ``role``; return the token to send them.

    Admins may invite any role to their clinic, clinicians only patients, patients
    nobody (:class:`AuthorisationError`). Only the token's SHA-256 is stored.
    """
    email = _check_email(email)
    role = Role(role)
    token = secrets.token_urlsafe(32)
    with uow_factory(actor=actor_id) as uow:
        actor = uow.users.get(actor_id)
        if actor is None:
            raise AuthorisationError("inviting as an unknown user", reason="The account no longer exists.")
        require_member(actor, clinic_id, f"inviting someone as {role.value} to that clinic")
        if not _may_invite(actor.role, role):
            raise AuthorisationError(
                f"inviting someone as {role.value}",
                reason=f"Your role ({actor.role.value}) may not invite someone as {role.value}.",
            )
        if uow.users.by_email(email) is not None:
            raise AccountExistsError
        uow.invitations.add(
            Invitation(
                clinic_id=clinic_id,
                email=email,
                role=role,
                token_hash=token_hash(token),
                invited_by=actor.id,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        uow.commit()
    return token


def accept_invitation(
    uow_factory: UnitOfWorkFactory,
    token: str,
    password: str,
    now: dt.datetime,
    display_name: str = "",
) -> User:
    """Create the invited account with ``password`` and mark the invitation used.

    An invited patient also gets their patient record (named ``display_name``, else
    the part of the email before the @), in the same transaction as the account.

    Raises :class:`InvalidInvitationError` for an unknown, expired or used token,
    :class:`WeakPasswordError` for a password that breaks the policy.
    """
    with uow_factory(actor=None) as uow:
        invitation = uow.invitations.find_by_token_hash(token_hash(token))
        if invitation is None:
            raise InvalidInvitationError("unknown")
        if invitation.accepted_at is not None:
            raise InvalidInvitationError("already used")
        if now >= invitation.expires_at:
            raise InvalidInvitationError("expired")
        check_password_policy(password, invitation.email)
        if not uow.invitations.mark_accepted(invitation.id, now):
            raise InvalidInvitationError("already used")
        existing = uow.users.by_email(invitation.email)
        if invitation.purpose == "reset":
            if existing is None or existing.clinic_id != invitation.clinic_id:
                raise InvalidInvitationError("unknown")
            uow.users.update_password_hash(existing.id, hash_password(password))
            uow.web_sessions.delete_for_user(existing.id)  # signed in elsewhere with the old password: out
            uow.commit()
            return existing
        if existing is not None:
            raise AccountExistsError
        try:
            user = uow.users.add(
                User(
                    email=invitation.email,
                    password_hash=hash_password(password),
                    role=invitation.role,
                    clinic_id=invitation.clinic_id,
                    created_at=now,
                )
            )
            if user.role == Role.PATIENT:
                name = display_name.strip()[:200] or user.email.partition("@")[0]
                uow.patients.add(
                    Patient(clinic_id=user.clinic_id, display_name=name, user_id=user.id, created_at=now)
                )
            uow.commit()
        except IntegrityViolation as exc:
            raise AccountExistsError from exc
    return user
