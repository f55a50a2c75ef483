"""Accounts on both databases: the first admin once only, the password policy, Argon2id hashes, sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.profiles import PRE_21_2

from backmech.services import accounts
from backmech.services.accounts import (
    AdminAlreadyExistsError,
    InvalidEmailError,
    WeakPasswordError,
    authenticate,
    create_first_admin,
    verify_password,
)
from backmech.services.ports import Role
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

EMAIL = "Lead@Clinic.Example"
PASSWORD = "correct horse battery staple"


def test_the_first_admin_is_created_once_only(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = create_first_admin(uow_factory, EMAIL, PASSWORD, "Riverside Physio")
    assert admin.role == Role.ADMIN
    assert admin.email == EMAIL.lower()
    with pytest.raises(AdminAlreadyExistsError, match="already exists"):
        create_first_admin(uow_factory, "other@clinic.example", "another long passphrase", "Second Clinic")
    with uow_factory() as uow:
        clinics = uow.clinics.list()
        assert [c.name for c in clinics] == ["Riverside Physio"]
        assert [u.email for u in uow.users.for_clinic(admin.clinic_id)] == [EMAIL.lower()]
        assert uow.users.by_email("other@clinic.example") is None


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("short1", ["has 6 characters and needs at least 12"]),
        ("", ["has 0 characters and needs at least 12"]),
        ("lead@clinic.example", ["same as the email"]),
        (" LEAD@clinic.EXAMPLE ", ["same as the email"]),
        ("a@b.co", ["has 6 characters", "same as the email"]),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    uow_factory: SqlUnitOfWorkFactory, password: str, reasons: list[str]
) -> None:
    email = "a@b.co" if password == "a@b.co" else EMAIL
    with pytest.raises(WeakPasswordError) as caught:
        create_first_admin(uow_factory, email, password, "Riverside Physio")
    assert len(caught.value.problems) == len(reasons)
    for reason in reasons:
        assert reason in str(caught.value)
    with uow_factory() as uow:
        assert uow.clinics.list() == []


def test_a_malformed_email_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidEmailError, match="not an email"):
        create_first_admin(uow_factory, "no-at-sign", PASSWORD, "Riverside Physio")


def test_the_stored_hash_is_argon2id_and_never_the_password(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = create_first_admin(uow_factory, EMAIL, PASSWORD, "Riverside Physio")
    with uow_factory() as uow:
        stored = uow.users.get(admin.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert extract_parameters(stored.password_hash).type is Type.ID
    owasp = extract_parameters(stored.password_hash)  # OWASP Password Storage Cheat Sheet: 19 MiB, t=2, p=1
    assert (owasp.memory_cost, owasp.time_cost, owasp.parallelism) == (19456, 2, 1)


def test_authenticate_right_wrong_and_unknown(uow_factory: SqlUnitOfWorkFactory) -> None:
    admin = create_first_admin(uow_factory, EMAIL, PASSWORD, "Riverside Physio")
    assert authenticate(uow_factory, EMAIL, PASSWORD) == admin
    assert authenticate(uow_factory, "  lead@clinic.example ", PASSWORD) == admin
    assert authenticate(uow_factory, EMAIL, PASSWORD + "!") is None
    assert authenticate(uow_factory, EMAIL, "") is None
    assert authenticate(uow_factory, "nobody@clinic.example", PASSWORD) is None


def test_an_unknown_email_still_costs_one_verification(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = accounts.verify_password

    def counting(password_hash: str, password: str) -> tuple[bool, str | None]:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    assert authenticate(uow_factory, "nobody@clinic.example", PASSWORD) is None
    assert len(calls) == 1
    assert calls[0].startswith("$argon2id$")


def test_verify_offers_a_rehash_for_outdated_parameters() -> None:
    old = PasswordHasher.from_parameters(PRE_21_2).hash(PASSWORD)
    assert verify_password(old, PASSWORD)[0] is True
    new = verify_password(old, PASSWORD)[1]
    assert new is not None and new.startswith("$argon2id$")
    assert verify_password(new, PASSWORD) == (True, None)
    assert verify_password(old, "wrong password!") == (False, None)
    assert verify_password("not a hash", PASSWORD) == (False, None)
