"""Accounts: password hashing, the first administrator, sign-in and who may act for a clinic.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher`` with its
default, RFC 9106 low-memory parameters); the password itself is never stored.
There is no default account or password: an installation starts with
:func:`create_first_admin`, which works exactly once.

Example::

    admin = create_first_admin(uow_factory, "lead@clinic.example", "a long passphrase", "Riverside Physio")
    user = authenticate(uow_factory, "lead@clinic.example", "a long passphrase")  # User or None

Invitations are not implemented here: the storage has no invitations table, and
a token held only in memory would not survive a restart or a second worker.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backmech.domain.errors import BackmechError
from backmech.services.ports import Clinic, Role, UnitOfWork, UnitOfWorkFactory, User

MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


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
    ok, _rehash = verify_password(user.password_hash, password)
    # The user repository has no update method yet, so a rehash cannot be stored here.
    return user if ok else None


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
