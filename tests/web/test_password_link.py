"""A link to set a new password: for a login restored from an export, or a forgotten password."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, Site, csrf_from

from backmech.services.patient_data import export_patient, import_patient
from backmech.services.patient_erasure import erase_patient

NEW_PASSWORD = "another long enough password"


def _link(site: Site, who: str, patient: str) -> str:
    target = site[patient].patient
    assert target is not None
    made = site[who].post(f"/clinic/patients/{target.id}/password-link")
    assert made.status_code == 200, made.text
    found = re.search(r'id="password-link" value="http://testserver(/join/[^"]+)"', made.text)
    assert found is not None and site[patient].user.email in made.text
    return found.group(1)


def _set_password(site: Site, path: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    client = site.client()
    page = client.get(path)
    assert page.status_code == 200
    return client, client.post(
        path, data={"csrf_token": csrf_from(page.text), "password": password, "password_again": password}
    )


def _signs_in(site: Site, email: str, password: str) -> bool:
    client = site.client()
    page = client.get("/login")
    done = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return done.status_code == 303


def test_the_link_sets_a_new_password_once_and_signs_out_elsewhere(site: Site) -> None:
    site.assess("patient_a")
    path = _link(site, "clinician_a", "patient_a")
    page = site.client().get(path).text
    assert "Set a new password" in page and 'name="display_name"' not in page
    _, done = _set_password(site, path)
    assert done.status_code == 200 and done.url.path == "/me"
    assert "Play the full session" in done.text  # the same record and plan
    email = site["patient_a"].user.email
    assert _signs_in(site, email, NEW_PASSWORD) and not _signs_in(site, email, PASSWORD)
    assert site["patient_a"].client.get("/me").url.path == "/login"  # the old session was ended
    other = site.client()
    assert other.get(path).status_code == 404  # used once: gone
    token = csrf_from(other.get("/login").text)
    form = {
        "csrf_token": token,
        "password": "yet another long password",
        "password_again": "yet another long password",
    }
    assert other.post(path, data=form).status_code == 422
    assert not _signs_in(site, email, "yet another long password")


def test_only_staff_of_the_clinic_make_links(site: Site) -> None:
    target = site["patient_a"].patient
    assert target is not None
    assert site["patient_a2"].post(f"/clinic/patients/{target.id}/password-link").status_code == 403
    assert site["clinician_b"].post(f"/clinic/patients/{target.id}/password-link").status_code == 404
    assert site["admin_a"].post(f"/clinic/patients/{target.id}/password-link").status_code == 200


def test_a_restored_login_signs_in_again_after_setting_a_password(site: Site) -> None:
    site.assess("patient_a")
    person = site["patient_a"]
    patient = person.patient
    assert patient is not None
    clinician = site["clinician_a"].user
    document = export_patient(site.state.uow_factory, clinician, patient.id, patient.clinic_id)
    erase_patient(site.state.uow_factory, clinician, patient.id, patient.clinic_id, "moving clinic and back")
    import_patient(site.state.uow_factory, clinician, patient.clinic_id, document)
    assert not _signs_in(site, person.user.email, PASSWORD)  # an import carries no password
    _, done = _set_password(site, _link(site, "clinician_a", "patient_a"))
    assert done.url.path == "/me" and "Play the full session" in done.text
    assert _signs_in(site, person.user.email, NEW_PASSWORD)
