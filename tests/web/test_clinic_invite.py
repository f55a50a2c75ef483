"""Inviting people from the clinic: the link to copy, its expiry, and who may invite whom."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, Site, csrf_from

from backmech.services.accounts import token_hash
from backmech.services.ports import Role

LINK = re.compile(r'id="invite-link"[^>]*value="(http://testserver/join/([^"]+))"')


def _invitation(site: Site, token: str):  # type: ignore[no-untyped-def]
    with site.state.uow_factory(actor=None) as uow:
        return uow.invitations.find_by_token_hash(token_hash(token))


def test_a_clinician_invites_patients_only(sqlite_site: Site) -> None:
    site = sqlite_site
    clinician = site["clinician_a"]
    page = clinician.client.get("/clinic/invite")
    assert page.status_code == 200
    assert (
        'value="patient"' in page.text
        and 'value="admin"' not in page.text
        and 'value="clinician"' not in page.text
    )
    assert 'id="staff"' not in page.text
    answer = clinician.post("/clinic/invite", {"email": "new.patient@a.example", "role": "patient"})
    assert answer.status_code == 200
    found = LINK.search(answer.text)
    assert found, answer.text[:3000]
    invitation = _invitation(site, found.group(2))
    assert invitation is not None and invitation.role == Role.PATIENT
    assert invitation.clinic_id == clinician.user.clinic_id
    assert invitation.expires_at.strftime("%d %b %Y %H:%M") in answer.text
    anonymous = site.client()
    join = anonymous.get(f"/join/{found.group(2)}")
    assert join.status_code == 200
    done = anonymous.post(
        f"/join/{found.group(2)}",
        data={
            "password": PASSWORD,
            "password_again": PASSWORD,
            "display_name": "New P",
            "csrf_token": csrf_from(join.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/me"
    assert "New P" in clinician.client.get("/clinic").text
    # A clinician may not invite staff.
    for role in ("admin", "clinician"):
        answer = clinician.post("/clinic/invite", {"email": f"boss-{role}@a.example", "role": role})
        assert answer.status_code == 403
        assert "may invite patients only" in answer.text
        assert f'value="boss-{role}@a.example"' in answer.text
        assert not LINK.search(answer.text)
    with site.state.uow_factory(actor=None) as uow:
        assert uow.users.by_email("boss-admin@a.example") is None


def test_an_admin_invites_staff_sees_the_staff_list_and_errors(sqlite_site: Site) -> None:
    site = sqlite_site
    admin = site["admin_a"]
    page = admin.client.get("/clinic/invite")
    assert 'value="admin"' in page.text and 'value="clinician"' in page.text
    staff = page.text.split('id="staff"')[1]
    assert "admin@a.example" in staff and "clinician@a.example" in staff
    assert "patient@a.example" not in staff and "admin@b.example" not in staff
    answer = admin.post("/clinic/invite", {"email": "second.admin@a.example", "role": "admin"})
    assert answer.status_code == 200
    found = LINK.search(answer.text)
    assert found
    invitation = _invitation(site, found.group(2))
    assert invitation is not None and invitation.role == Role.ADMIN
    # Errors are explained, with the form kept.
    taken = admin.post("/clinic/invite", {"email": "patient@a.example", "role": "patient"})
    assert taken.status_code == 422 and "already exists" in taken.text
    assert 'value="patient@a.example"' in taken.text
    other_clinic = admin.post("/clinic/invite", {"email": "patient@b.example", "role": "patient"})
    assert other_clinic.status_code == 422 and "already exists" in other_clinic.text
    bad = admin.post("/clinic/invite", {"email": "not an email", "role": "clinician"})
    assert bad.status_code == 422 and "is not an email address" in bad.text
    assert 'value="clinician" checked' in bad.text
    empty = admin.post("/clinic/invite", {"email": "", "role": "patient"})
    assert empty.status_code == 422 and "Give the email address" in empty.text
    odd = admin.post("/clinic/invite", {"email": "x@a.example", "role": "superuser"})
    assert odd.status_code == 422 and "Choose who you are inviting" in odd.text
