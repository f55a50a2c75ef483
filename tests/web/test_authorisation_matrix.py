"""THE AUTHORISATION MATRIX: every route × method × role × someone else's record.

Routes are read from the app at test time, so a route added tomorrow is checked
tomorrow. For each route, method and role (anonymous, each patient, each clinician
and admin of both clinics) the path, query and body parameters that name a record
(``patient_id``, ``log_id``, ``analysis_id``...) are pointed at a patient that role
must not reach: another clinic's, or for a patient anyone else's; also "own patient
id, someone else's record". Each request carries a valid CSRF token and a plausible
body, so only authorisation can stop it. Then:

* it is refused: 401/403/404 for a record in the path (the anonymous may get a
  redirect to /login), a 4xx for a record in the query or body;
* the answer equals the answer for an id that never existed (no existence oracle);
* the body (and any redirect) never shows that patient's name, email or record ids
  (ids the request itself carried may be echoed);
* nothing answers 5xx.

Routes without record parameters act on the viewer's own data: sent once per role,
their answers are scanned for every patient that role must not see. A path
parameter this file cannot fill FAILS the test: add it to ``RESOURCE_PARAMS`` (a
record) or ``VALUE_PARAMS`` (a choice such as a slug). A positive control checks
that the owner or their clinic's staff DO get 200 on every GET route.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from fastapi import FastAPI, UploadFile, params
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import BaseModel
from starlette.routing import Mount
from tests.web.conftest import EXAMPLES, PASSWORD, Site, build_site

from backmech.domain.plans.edits import EDIT_KINDS
from backmech.knowledge.files import KNOWLEDGE_ROOT
from backmech.services.intake_wizard import build_wizard
from backmech.services.ports import AnalysisStatus, MovementAnalysis, PlanEdit, SessionLog, utc_now
from backmech.services.web_sessions import start_session
from backmech.storage.engine import sqlite_url
from builders import report

PATIENTS = ("patient_a", "patient_a2", "patient_b")
ROLES = ("anonymous", *PATIENTS, "clinician_a", "admin_a", "clinician_b", "admin_b")
CLINIC_OF = {"patient_a": "a", "patient_a2": "a", "patient_b": "b"}
OWNER_ROLES = ("patient_a", "clinician_a", "admin_a")
"""Who may see patient_a's records: the patient and their clinic's staff (the positive control)."""
CASE_FLOOR = 900
NOT_ROUTES = {
    "/static": "CSS, JS and images; no patient data",
    "/api/docs": "the Swagger UI page (no data)",
    "/api/openapi.json": "the API description (no data)",
    "/docs/oauth2-redirect": "Swagger UI's OAuth helper page (static HTML, no data)",
}
PUBLIC = {
    ("/", "GET"): "sends each visitor on to /setup, /login or their home page",
    ("/healthz", "GET"): "liveness probe for a load balancer",
    ("/setup", "GET"): "first-run set-up; closed once an administrator exists",
    ("/setup", "POST"): "first-run set-up; refuses once an administrator exists",
    ("/login", "GET"): "the sign-in form",
    ("/login", "POST"): "sign-in (rate limited)",
    ("/join/{token}", "GET"): "joining by invitation: the token in the link is the credential",
    ("/join/{token}", "POST"): "joining by invitation: the token in the link is the credential",
    ("/api/session", "POST"): "API sign-in (rate limited)",
    ("/calendar/{token}.ics", "GET"): "a private calendar feed: the secret address is the credential",
}
"""Routes anyone may call, with why. (``/logout`` is not here: it needs a session.)"""
RESOURCE_PARAMS = {
    "patient_id": "patient",
    "assessment_id": "assessment",
    "analysis_id": "analysis",
    "log_id": "log",
    "edit_id": "edit",
    "plan_edit_id": "edit",
}
VALUE_PARAMS = ("kind", "slug", "step_id", "step", "test", "token")
"""Path parameters that choose among non-personal things (filled from ``World.values``)."""
NO_OWNER_200 = {"/me/intake/referral": "shown only after a red-flag stop; otherwise it redirects"}
"""GET routes that rightly answer patient_a (who has a plan) with a redirect, and why."""
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    route: object
    path_params: tuple[str, ...]
    resource_names: tuple[str, ...]
    """Path, query and body parameters that name a record."""

    @property
    def public(self) -> bool:
        return (self.path, self.method) in PUBLIC

    @property
    def resource_in_path(self) -> bool:
        return any(name in RESOURCE_PARAMS for name in self.path_params)


def _declared(route: object, method: str) -> list[Any]:
    """Query (and for changes, body) fields of the route and of every dependency it uses."""
    if not isinstance(route, APIRoute):
        return []
    fields: list[Any] = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        fields += dependant.query_params + (dependant.body_params if method in UNSAFE else [])
        pending += dependant.dependencies
    return fields


def _model_fields(field_: Any) -> list[str]:
    annotation = field_.field_info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or name for name, f in annotation.model_fields.items()]
    return [field_.alias]


def endpoints(app: FastAPI) -> tuple[list[Endpoint], list[str]]:
    """Every (path, method) the app serves, and the routes the matrix cannot check (must be none)."""
    found: list[Endpoint] = []
    problems: list[str] = []
    for context in iter_route_contexts(app.routes):
        path = context.path_format or context.path or ""
        if context.path in NOT_ROUTES or path in NOT_ROUTES:
            continue
        if isinstance(context.original_route, Mount):
            problems.append(f"{path}: a mount the matrix does not know (add it to NOT_ROUTES with a reason)")
            continue
        names = tuple(re.findall(r"{(\w+)(?::\w+)?}", path))
        for method in sorted((context.methods or set()) - {"HEAD"}):
            unknown = [n for n in names if n not in RESOURCE_PARAMS and n not in VALUE_PARAMS]
            if unknown:
                problems.append(
                    f"{method} {path}: cannot fill {unknown} (add to RESOURCE_PARAMS or VALUE_PARAMS)"
                )
            fields = {name for f in _declared(context.original_route, method) for name in _model_fields(f)}
            resources = [n for n in names if n in RESOURCE_PARAMS]
            resources += sorted(f for f in fields if f in RESOURCE_PARAMS and f not in resources)
            found.append(Endpoint(path, method, context.original_route, names, tuple(resources)))
    return found, problems


def _today() -> str:
    return dt.date.today().isoformat()


NAME_HINTS: dict[str, Any] = {
    "pain": 3,
    "effort": 3,
    "date": _today,
    "email": "matrix-invitee@example.org",
    "password": PASSWORD,
    "idempotency_key": lambda: "matrix" + uuid4().hex,
    "reason": "matrix check",
    "role": "patient",
    "kind": "full",
    "change": lambda: {"kind": "care", "care": "matrix", "date": _today(), "notes": ""},
    "intake": lambda: orjson.loads((EXAMPLES / "flexion-intolerant-desk-worker.json").read_bytes()),
}


def sample(tp: Any, name: str, fill: Mapping[str, str]) -> Any:
    """A plausible value for a parameter: the fill if it names one, else by name, else by type."""
    if name in fill:
        return fill[name]
    for hint, value in NAME_HINTS.items():
        if hint in name:
            made = value() if callable(value) else value
            return str(made) if tp is str and not isinstance(made, dict) else made
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return sample(args[0], name, fill)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)), name, fill)
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set, frozenset):
        return [sample(args[0] if args else str, name, fill)]
    if origin in (dict, Mapping) or tp is dict:
        return {}
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {f.alias or n: sample(f.annotation, n, fill) for n, f in tp.model_fields.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return next(iter(tp)).value
    simple = {bool: True, int: 3, float: 1.0, UUID: lambda: str(uuid4()), dt.date: _today}
    simple |= {dt.datetime: lambda: utc_now().isoformat()}
    made = simple.get(tp, "matrix")
    return made() if callable(made) else made


def request_parts(ep: Endpoint, fill: Mapping[str, str]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """URL, query and body keyword arguments for ``ep`` with its parameters filled from ``fill``."""
    url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(fill[m.group(1)]), ep.path)
    query: dict[str, Any] = {}
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    body: list[Any] = []
    for f in _declared(ep.route, ep.method):
        info = f.field_info
        if isinstance(info, params.Body):
            body.append(f)
        elif f.alias in fill or info.is_required():
            query[f.alias] = sample(info.annotation, f.alias, fill)
    if ep.method not in UNSAFE:
        return url, query, {}
    for f in body:
        info = f.field_info
        if isinstance(info, params.File) or info.annotation in (UploadFile, bytes):
            files[f.alias] = ("clip.mp4", b"\x00\x00\x00\x18ftypmp42matrix", "video/mp4")
        elif isinstance(info, params.Form):
            form[f.alias] = str(sample(info.annotation, f.alias, fill))
    if files or form:
        return url, query, {"data": form, "files": files or None}
    if len(body) == 1 and not getattr(body[0].field_info, "embed", False):
        return url, query, {"json": sample(body[0].field_info.annotation, body[0].alias, fill)}
    if body:
        return url, query, {"json": {f.alias: sample(f.field_info.annotation, f.alias, fill) for f in body}}
    return url, query, ({"json": {}} if ep.path.startswith("/api/") else {"data": {"matrix": "1"}})


@dataclass
class World:
    """The installation with records for every patient, and a way to send requests as any role."""

    site: Site
    resources: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    secrets: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    names: dict[str, list[tuple[re.Pattern[str], str]]] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    readers: dict[str, tuple[str, str]] = field(default_factory=dict)
    client: TestClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = TestClient(self.site.app, follow_redirects=False)

    @classmethod
    def build(cls, site: Site) -> World:
        world = cls(site)
        state = site.state
        for name in PATIENTS:
            site.assess(name)
            person = site[name]
            patient = person.patient
            assert patient is not None
            clinic, pid = patient.clinic_id, patient.id
            overlay = f"matrix/{pid.hex}-overlay.mp4"
            (state.config.settings.media_dir / "matrix").mkdir(parents=True, exist_ok=True)
            (state.config.settings.media_dir / overlay).write_bytes(b"\x00\x00\x00\x18ftypmp42")
            with state.uow_factory(actor=person.user.id) as uow:
                log = SessionLog(
                    patient_id=pid,
                    session_date=dt.date.today(),
                    pain_before=4,
                    pain_after=3,
                    effort=5,
                    idempotency_key=f"matrix:{pid.hex}",
                )
                log = uow.session_logs.add(clinic, log)
                analyses = [
                    uow.movement_analyses.add(
                        clinic,
                        MovementAnalysis(
                            patient_id=pid, test="forward-bend", media_path=f"matrix/{pid.hex}.mp4"
                        ),
                    ),
                    uow.movement_analyses.add(
                        clinic,
                        MovementAnalysis(
                            patient_id=pid,
                            test="forward-bend",
                            media_path=f"matrix/{pid.hex}-2.mp4",
                            status=AnalysisStatus.DONE,
                            result=report("squat", overlay=overlay),
                        ),
                    ),
                ]
                edit = uow.plan_edits.add(
                    clinic,
                    PlanEdit(
                        patient_id=pid,
                        editor_id=None,
                        reason="matrix",
                        change={"kind": "care", "care": "matrix care", "date": _today(), "notes": ""},
                    ),
                )
                assessments = [a.id for a in uow.assessments.for_patient(clinic, pid)]
                uow.commit()
            world.resources[name] = {
                "patient": [str(pid)],
                "assessment": [str(a) for a in assessments],
                "analysis": [str(a.id) for a in analyses],
                "log": [str(log.id)],
                "edit": [str(edit.id)],
            }
            ids = [pid, person.user.id, log.id, edit.id, *assessments, *(a.id for a in analyses)]
            world.secrets[name] = [(str(i), i.hex) for i in ids]
            world.names[name] = [
                (
                    re.compile(re.escape(patient.display_name) + r"(?!\w)"),
                    f"the name {patient.display_name!r}",
                ),
                (re.compile(re.escape(person.user.email), re.IGNORECASE), f"the email {person.user.email}"),
            ]
        kb = state.knowledge
        steps = [s.id for s in build_wizard(state.assessment).steps]
        world.values = {
            "kind": ["routine", "full", *EDIT_KINDS],
            "slug": sorted(kb.education)[:2] + sorted(kb.exercises)[:2],
            "step_id": steps[:2] + steps[-1:],
            "test": sorted(p.stem for p in (KNOWLEDGE_ROOT / "movement_tests").glob("*.yaml"))[:2],
            "token": ["matrix-unknown-token"],
        }
        world.values["step"] = world.values["step_id"]
        return world

    def value_combos(self, ep: Endpoint) -> Iterator[dict[str, str]]:
        names = [n for n in ep.path_params if n in VALUE_PARAMS]
        for combo in itertools.product(*(self.values[n] for n in names)):
            yield dict(zip(names, combo, strict=True))

    def send(
        self, role: str, ep: Endpoint, url: str, query: dict[str, Any], body: dict[str, Any]
    ) -> Response:
        """One request as ``role`` with a valid CSRF token (a fresh session for every change)."""
        client = self.client
        client.cookies.clear()
        headers: dict[str, str] = {}
        if role == "anonymous":
            csrf = "m" * 43
            client.cookies.set("bm_csrf", csrf)
        else:
            if ep.method in UNSAFE or role not in self.readers:
                token, made = start_session(
                    self.site.state.uow_factory,
                    self.site[role].user,
                    utc_now(),
                    self.site.state.config.session_policy,
                )
                self.readers[role] = (token, made.csrf_token)
            token, csrf = self.readers[role]
            client.cookies.set("bm_session", token)
        if ep.method in UNSAFE:
            headers["X-CSRF-Token"] = csrf
            if "data" in body:
                body = body | {"data": body["data"] | {"csrf_token": csrf}}
            self.readers.pop(role, None)  # it may have signed this role out
        return client.request(ep.method, url, params=query, headers=headers, **body)

    def leaks(self, victim: str, response: Response, url: str, query: object, body: object) -> list[str]:
        """What of ``victim``'s data the response shows (ids the request carried excepted)."""
        shown = response.text + "\n" + response.headers.get("location", "")
        sent = f"{url} {query!r} {body!r}"
        found = [f"shows {label}" for pattern, label in self.names[victim] if pattern.search(shown)]
        for forms in self.secrets[victim]:
            if any(f in shown for f in forms) and not any(f in sent for f in forms):
                found.append(f"shows {victim}'s record id {forms[0]}")
        return found

    def unknown(self, kind: str) -> str:
        """A ``kind`` record id that never existed (all record ids are UUIDs)."""
        return str(uuid4())


def foreign_patients(role: str) -> tuple[str, ...]:
    """The patients ``role`` must not reach."""
    if role == "anonymous":
        return PATIENTS
    if role.startswith("patient"):
        return tuple(p for p in PATIENTS if p != role)
    return tuple(p for p in PATIENTS if CLINIC_OF[p] != role[-1])


def own_patient(role: str) -> str | None:
    if role == "anonymous":
        return None
    return role if role.startswith("patient") else f"patient_{role[-1]}"


def _refused(role: str, response: Response, in_path: bool) -> bool:
    status = response.status_code
    if role == "anonymous" and status in (302, 303, 307):
        return str(response.headers.get("location", "")).startswith("/login")
    return status in (401, 403, 404) if in_path else 400 <= status < 500


def _fills(world: World, ep: Endpoint, role: str, victim: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Point the record parameters at ``victim``'s records: all of them, or own patient id + theirs."""
    names = ep.resource_names
    for combo in itertools.product(*(world.resources[victim][RESOURCE_PARAMS[n]] for n in names)):
        yield "their records", dict(zip(names, combo, strict=True))
    own = own_patient(role)
    others = [n for n in names if n != "patient_id"]
    if own and "patient_id" in names and others:
        for combo in itertools.product(*(world.resources[victim][RESOURCE_PARAMS[n]] for n in others)):
            yield (
                "own patient id, their records",
                dict(zip(others, combo, strict=True)) | {"patient_id": world.resources[own]["patient"][0]},
            )


def _never_existed(fill: Mapping[str, str], world: World, role: str) -> dict[str, str]:
    """The same fill with each foreign record replaced by one that never existed."""
    own = own_patient(role)
    own_id = world.resources[own]["patient"][0] if own else None
    return {n: v if v == own_id else world.unknown(RESOURCE_PARAMS[n]) for n, v in fill.items()}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    site = build_site(sqlite_url(tmp / "backmech.db"), tmp / "data")
    yield World.build(site)
    for person in site.people.values():
        person.client.close()
    site.state.engine.dispose()


def test_every_route_is_known_to_the_matrix(world: World) -> None:
    found, problems = endpoints(world.site.app)
    assert not problems, "routes the matrix cannot check:\n" + "\n".join(problems)
    assert {"/me", "/clinic", "/account", "/api/patients/{patient_id}"} <= {ep.path for ep in found}
    blind = [f"{ep.method} {ep.path}" for ep in found if not isinstance(ep.route, APIRoute)]
    assert not blind, f"plain Starlette routes cannot be introspected for their fields: {blind}"
    assert all(reason for reason in PUBLIC.values()) and all(reason for reason in NOT_ROUTES.values())


def test_owners_and_their_clinic_get_200_on_every_get_route(world: World) -> None:
    """Positive control: without it the matrix would pass if every route answered 404."""
    found, _ = endpoints(world.site.app)
    missing: list[str] = []
    for ep in (e for e in found if e.method == "GET" and not e.public):
        fill = {n: world.resources["patient_a"][RESOURCE_PARAMS[n]][-1] for n in ep.resource_names}
        answers: list[str] = []
        for role, values in itertools.product(OWNER_ROLES, list(world.value_combos(ep))):
            response = world.send(role, ep, *request_parts(ep, fill | values))
            answers.append(f"{role} {values or ''}: {response.status_code}")
            if response.status_code == 200:
                break
        else:
            if ep.path in NO_OWNER_200:
                assert any(a.endswith(("302", "303")) for a in answers), (ep.path, answers)
            else:
                missing.append(f"GET {ep.path}: {answers}")
    assert not missing, "no owner got 200 from:\n" + "\n".join(missing)


def test_nobody_reaches_anyone_elses_records(world: World) -> None:
    found, problems = endpoints(world.site.app)
    assert not problems
    failures: list[str] = []
    cases = 0
    for ep, role in itertools.product(found, ROLES):
        if ep.public:
            cases += _check_public(world, ep, role, failures)
        elif not ep.resource_names:
            cases += _check_own_context(world, ep, role, failures)
        else:
            cases += _check_records(world, ep, role, failures)
    print(f"\nauthorisation matrix: {cases} (route, method, role, resource) cases checked")
    failures += _changed_records(world)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
    assert cases >= CASE_FLOOR


def _changed_records(world: World) -> list[str]:
    """Refused changes must change nothing: the records the matrix aimed at are as the fixture left them.

    (Only requests naming those records could change them, and every such request
    came from someone who may not; own-context routes add new records instead.)
    """
    changed: list[str] = []
    with world.site.state.uow_factory(actor=None) as uow:
        for name in PATIENTS:
            patient = world.site[name].patient
            assert patient is not None
            logs = {str(log.id): log for log in uow.session_logs.for_patient(patient.clinic_id, patient.id)}
            if logs[world.resources[name]["log"][0]].next_morning_pain is not None:
                changed.append(f"{name}'s session log got a next-morning pain from someone else")
            edits = [str(e.id) for e in uow.plan_edits.for_patient(patient.clinic_id, patient.id)]
            if edits != world.resources[name]["edit"]:
                changed.append(f"{name}'s plan was edited by someone else: {edits}")
    return changed


def _check_records(world: World, ep: Endpoint, role: str, failures: list[str]) -> int:
    cases = 0
    for victim in foreign_patients(role):
        for (how, fill), values in itertools.product(
            _fills(world, ep, role, victim), list(world.value_combos(ep))
        ):
            cases += 1
            where = f"{ep.method} {ep.path} as {role} with {victim}'s records ({how}) {values or ''}"
            url, query, body = request_parts(ep, fill | values)
            response = world.send(role, ep, url, query, body)
            if not _refused(role, response, ep.resource_in_path):
                failures.append(f"{where}: not refused, {response.status_code}")
            twin = world.send(role, ep, *request_parts(ep, _never_existed(fill, world, role) | values))
            if twin.status_code != response.status_code:
                failures.append(
                    f"{where}: {response.status_code}, but {twin.status_code} for an id that never existed"
                )
            failures.extend(f"{where}: {leak}" for leak in world.leaks(victim, response, url, query, body))
    return cases


def _check_own_context(world: World, ep: Endpoint, role: str, failures: list[str]) -> int:
    """No record parameter: the route acts on the viewer's own data; scan it for everyone else's."""
    cases = 0
    for values in world.value_combos(ep):
        url, query, body = request_parts(ep, values)
        response = world.send(role, ep, url, query, body)
        where = f"{ep.method} {ep.path} as {role}{' ' if values else ''}{values or ''}"
        if response.status_code >= 500:
            failures.append(f"{where}: server error {response.status_code}")
        if role == "anonymous" and not _refused(role, response, in_path=True):
            failures.append(f"{where}: the anonymous were not refused ({response.status_code})")
        for victim in foreign_patients(role):
            cases += 1
            failures.extend(f"{where}: {leak}" for leak in world.leaks(victim, response, url, query, body))
    return cases


def _check_public(world: World, ep: Endpoint, role: str, failures: list[str]) -> int:
    """Public pages: nobody gets another patient's data from them either (GET; POSTs change nothing here)."""
    if ep.method != "GET":
        return 0
    url, query, body = request_parts(ep, {"token": "matrix-unknown-token"})
    response = world.send(role, ep, url, query, body)
    if response.status_code >= 500:
        failures.append(f"GET {ep.path} as {role}: server error {response.status_code}")
    for victim in foreign_patients(role):
        failures.extend(
            f"GET {ep.path} as {role}: {leak}" for leak in world.leaks(victim, response, url, query, body)
        )
    return len(foreign_patients(role))


def test_the_checks_themselves_can_fail(world: World) -> None:
    """A leaking answer, a wrong status and an unfillable parameter are all reported."""
    leaky = Response(200, text=f'{{"name": "Pat B", "id": "{world.resources["patient_b"]["log"][0]}"}}')
    assert len(world.leaks("patient_b", leaky, "/x", {}, {})) == 2
    assert world.leaks("patient_a", Response(200, text="Pat A2"), "/x", {}, {}) == []
    assert world.leaks("patient_a2", Response(200, text="Pat A2"), "/x", {}, {})
    echoed = world.resources["patient_b"]["patient"][0]
    assert world.leaks("patient_b", Response(404, text=echoed), f"/api/patients/{echoed}", {}, {}) == []
    assert not _refused("patient_a", Response(200), in_path=True)
    assert not _refused("patient_a", Response(422), in_path=True)
    assert not _refused("anonymous", Response(303, headers={"location": "/me"}), in_path=True)
    assert _refused("anonymous", Response(303, headers={"location": "/login?next=%2Fme"}), in_path=True)
    toy = FastAPI()

    @toy.get("/things/{mystery}")
    def thing(mystery: str) -> str:
        return mystery

    _, problems = endpoints(toy)
    assert problems and "mystery" in problems[0]
