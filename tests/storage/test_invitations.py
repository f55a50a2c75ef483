"""Invitations, password rehash on sign-in and serialised first-admin set-up, on both databases."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import threading
import uuid

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.profiles import PRE_21_2
from sqlalchemy import Engine

from backmech.services.accounts import (
    AccountExistsError,
    AdminAlreadyExistsError,
    AuthorisationError,
    InvalidInvitationError,
    WeakPasswordError,
    accept_invitation,
    authenticate,
    create_first_admin,
    hash_password,
    invite,
)
from backmech.services.ports import Clinic, Role, User
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"


def _admin(uow_factory: SqlUnitOfWorkFactory) -> User:
    return create_first_admin(uow_factory, "lead@clinic.example", PASSWORD, "Riverside Physio")


def _member(uow_factory: SqlUnitOfWorkFactory, admin: User, role: Role, email: str) -> User:
    with uow_factory() as uow:
        user = uow.users.add(
            User(email=email, password_hash=hash_password(PASSWORD), role=role, clinic_id=admin.clinic_id)
        )
        uow.commit()
    return user


def test_an_invitation_creates_the_account_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = _admin(uow_factory)
    token = invite(uow_factory, admin.id, "New@Clinic.Example", Role.CLINICIAN, admin.clinic_id, NOW)
    user = accept_invitation(uow_factory, token, "a brand new passphrase", NOW + dt.timedelta(days=1))
    assert (user.email, user.role, user.clinic_id) == ("new@clinic.example", Role.CLINICIAN, admin.clinic_id)
    assert authenticate(uow_factory, "new@clinic.example", "a brand new passphrase") == user
    with uow_factory() as uow:
        stored = uow.invitations.find_by_token_hash(hashlib.sha256(token.encode()).hexdigest())
    assert stored is not None
    assert stored.accepted_at == NOW + dt.timedelta(days=1)
    assert stored.invited_by == admin.id
    assert stored.expires_at == NOW + dt.timedelta(days=7)

    with pytest.raises(InvalidInvitationError, match="already used"):
        accept_invitation(uow_factory, token, "another new passphrase", NOW + dt.timedelta(days=2))


def test_expired_and_unknown_tokens_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = _admin(uow_factory)
    token = invite(
        uow_factory,
        admin.id,
        "late@clinic.example",
        Role.PATIENT,
        admin.clinic_id,
        NOW,
        dt.timedelta(hours=1),
    )
    with pytest.raises(InvalidInvitationError, match="expired"):
        accept_invitation(uow_factory, token, "a brand new passphrase", NOW + dt.timedelta(hours=1))
    with pytest.raises(InvalidInvitationError, match="unknown"):
        accept_invitation(uow_factory, token + "x", "a brand new passphrase", NOW)
    with uow_factory() as uow:
        assert uow.users.by_email("late@clinic.example") is None


def test_the_password_policy_applies_and_a_refusal_leaves_the_token_usable(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    admin = _admin(uow_factory)
    token = invite(uow_factory, admin.id, "new@clinic.example", Role.PATIENT, admin.clinic_id, NOW)
    with pytest.raises(WeakPasswordError):
        accept_invitation(uow_factory, token, "short", NOW)
    assert accept_invitation(uow_factory, token, "a brand new passphrase", NOW).role == Role.PATIENT


def test_an_existing_account_cannot_be_invited(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = _admin(uow_factory)
    with pytest.raises(AccountExistsError):
        invite(uow_factory, admin.id, "LEAD@clinic.example", Role.CLINICIAN, admin.clinic_id, NOW)


def test_who_may_invite_whom(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = _admin(uow_factory)
    actors = {
        Role.ADMIN: admin,
        Role.CLINICIAN: _member(uow_factory, admin, Role.CLINICIAN, "doc@clinic.example"),
        Role.PATIENT: _member(uow_factory, admin, Role.PATIENT, "pat@clinic.example"),
    }
    allowed: list[tuple[Role, Role]] = []
    refused: list[tuple[Role, Role]] = []
    for n, (inviter, invitee) in enumerate(itertools.product(Role, Role)):
        email = f"person{n}@clinic.example"
        try:
            invite(uow_factory, actors[inviter].id, email, invitee, admin.clinic_id, NOW)
        except AuthorisationError as error:
            assert f"inviting someone as {invitee.value}" in str(error)
            refused.append((inviter, invitee))
        else:
            allowed.append((inviter, invitee))
    assert sorted(allowed) == sorted([(Role.ADMIN, r) for r in Role] + [(Role.CLINICIAN, Role.PATIENT)])
    assert len(refused) == 5
    assert {inviter for inviter, _ in refused} == {Role.CLINICIAN, Role.PATIENT}


def test_no_one_invites_into_another_clinic(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = _admin(uow_factory)
    with uow_factory() as uow:
        other = uow.clinics.add(Clinic(name="Elsewhere"))
        uow.commit()
    with pytest.raises(AuthorisationError, match="inviting someone as patient"):
        invite(uow_factory, admin.id, "x@clinic.example", Role.PATIENT, other.id, NOW)


def test_the_token_is_never_stored_in_clear(uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> None:
    admin = _admin(uow_factory)
    token = invite(uow_factory, admin.id, "new@clinic.example", Role.PATIENT, admin.clinic_id, NOW)
    assert len(token) >= 43
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM invitations")).all()
    assert len(rows) == 1
    values = [str(value) for value in rows[0]]
    assert all(token not in value for value in values)
    assert hashlib.sha256(token.encode()).hexdigest() in values


def test_sign_in_saves_a_rehash_for_outdated_parameters(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = _admin(uow_factory)
    old = PasswordHasher.from_parameters(PRE_21_2).hash(PASSWORD)
    with uow_factory() as uow:
        assert uow.users.update_password_hash(admin.id, old) is True
        uow.commit()
    signed_in = authenticate(uow_factory, admin.email, PASSWORD)
    assert signed_in is not None
    with uow_factory() as uow:
        stored = uow.users.get(admin.id)
    assert stored is not None
    assert stored.password_hash != old
    assert stored.password_hash == signed_in.password_hash
    from backmech.services.accounts import _hasher

    assert _hasher.check_needs_rehash(stored.password_hash) is False
    assert authenticate(uow_factory, admin.email, PASSWORD) == stored


def test_update_password_hash_of_an_unknown_user(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.users.update_password_hash(uuid.uuid4(), "x") is False


def test_concurrent_first_admin_setups_make_exactly_one_admin(uow_factory: SqlUnitOfWorkFactory) -> None:
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def set_up(n: int) -> None:
        start.wait()
        try:
            outcomes.append(
                create_first_admin(uow_factory, f"lead{n}@clinic.example", PASSWORD, f"Clinic {n}")
            )
        except Exception as error:
            outcomes.append(error)

    threads = [threading.Thread(target=set_up, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    assert sum(isinstance(o, User) for o in outcomes) == 1
    assert sum(isinstance(o, AdminAlreadyExistsError) for o in outcomes) == 1
    with uow_factory() as uow:
        clinics = uow.clinics.list()
        admins = [u for c in clinics for u in uow.users.for_clinic(c.id) if u.role == Role.ADMIN]
    assert len(clinics) == 1
    assert len(admins) == 1
