"""Sign-in with rate limiting, shared by every app server through the database.

Failed attempts are counted per account (the email) and per client address over a
sliding window. The per-account limit stops password guessing against one person;
the per-address limit stops one machine spraying many accounts. A locked-out
request is refused before the password is checked, so it costs no Argon2 work.
OWASP's Authentication Cheat Sheet asks for exactly this (lockout thresholds and
windows are the operator's choice); NIST SP 800-63B 5.2.2 caps consecutive
failures at 100, which these defaults stay far below.

A success clears the account's counter (not the address's: one good password does
not earn a sprayer more guesses).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from backmech.domain.errors import BackmechError
from backmech.services.accounts import authenticate
from backmech.services.ports import UnitOfWorkFactory, User


@dataclass(frozen=True, slots=True)
class SignInLimits:
    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


class TooManyAttemptsError(BackmechError):
    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        super().__init__(
            "Too many failed sign-ins.",
            hint=f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again, "
            "or ask your clinic to reset your password.",
        )
        self.retry_after_s = retry_after_s


class InvalidCredentialsError(BackmechError):
    def __init__(self) -> None:
        super().__init__(
            "That email and password do not match an account.",
            hint="Check the email address and password (passwords are case-sensitive).",
        )


def _keys(email: str, address: str) -> tuple[str, str]:
    return f"email:{email.strip().lower()}"[:400], f"addr:{address}"[:400]


def sign_in(
    uow_factory: UnitOfWorkFactory,
    email: str,
    password: str,
    address: str,
    now: dt.datetime,
    limits: SignInLimits = SignInLimits(),
) -> User:
    """The user for these credentials; raises TooManyAttemptsError or InvalidCredentialsError."""
    account_key, address_key = _keys(email, address)
    since = now - limits.window
    with uow_factory(actor=None) as uow:
        if (
            uow.login_attempts.failures_since(account_key, since) >= limits.per_account
            or uow.login_attempts.failures_since(address_key, since) >= limits.per_address
        ):
            raise TooManyAttemptsError(int(limits.window.total_seconds()))
    user = authenticate(uow_factory, email, password)
    with uow_factory(actor=None) as uow:
        if user is None:
            uow.login_attempts.add_failure(account_key, now)
            uow.login_attempts.add_failure(address_key, now)
            uow.login_attempts.prune(now - 2 * limits.window)
            uow.commit()
            raise InvalidCredentialsError
        uow.login_attempts.clear(account_key)
        uow.commit()
    return user
