"""A local stand-in for Meta's Graph API lead retrieval (Lead Ads).

Endpoints (``/vNN.N`` prefix as on graph.facebook.com; none: the newest version):
  GET /{page_id}/leadgen_forms      the page's lead forms ({"data": [...], "paging": {...}})
  GET /{form_id}/leads              leads of one form: ``fields``, ``limit``, ``after`` cursor,
                                    ``filtering=[{"field":"time_created","operator":"GREATER_THAN","value":<unix>}]``
  GET /{form_id}/test_leads         the form's test leads (made with the Lead Ads Testing Tool or
                                    ``POST /{form_id}/test_leads``), same paging
  GET /{page_id}                    the Page node (``id``, ``name``): what ``leadsync check`` reads

Versions follow ad_platforms/meta/versions.toml: an active version answers with a
``facebook-api-version`` header naming it; an expired one is served by the oldest active version,
as Meta documents ("any calls made to it will be defaulted to the next oldest usable version",
https://developers.facebook.com/docs/graph-api/guides/versioning); an unknown one is an unknown
path component (code 2500).

Shapes as Meta sends them: leads carry ``id``, ``created_time`` ("2026-09-14T09:00:00+0000"),
``ad_id``/``adset_id``/``campaign_id`` with names, ``form_id``, ``field_data`` (name + values
list), ``is_organic`` and ``platform``; paging has ``cursors.before/after`` and ``next`` only
when another page exists. Test leads' answers read like the testing tool's
("<test lead: dummy data for ...>"), but what marks them is the documented ``test_leads`` edge.

Rate limits: lead reads with a Page token count against the Page's ``leadgen`` Business Use Case
bucket, whose 24-hour budget is 4800 x the leads the Page generated
(https://developers.facebook.com/docs/graph-api/overview/rate-limiting/#buc-rate-limits). Every
answer carries ``X-Business-Use-Case-Usage`` ({page_id: [{"type": "leadgen", "call_count": %,
"total_cputime": %, "total_time": %, "estimated_time_to_regain_access": minutes}]}); past the
budget, reads fail with HTTP 400 code 80005 until access is regained.

Errors are Graph API error bodies (``message``, ``type``, ``code``, ``error_subcode``,
``is_transient``, ``fbtrace_id``): rate limits are HTTP 400 with code 80005 / 17 / 4;
transient errors are HTTP 500 with code 2; an expired token is HTTP 400 with code 190.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from leadsync.ingestion.sandboxes.base import LoggedRequest, PublishedVersions, Response, Sandbox
from leadsync.ingestion.sandboxes.people import people, seeded_time

VERSIONS = PublishedVersions.of("meta")
PAGE_ID = "104455000000001"
FORMS = {
    "771000000000001": "Demo request - Q1",
    "771000000000002": "Whitepaper: Lead routing playbook",
}
CAMPAIGNS = (
    (
        "120200000000001",
        "Q1 Demand Gen - Prospecting",
        "120210000000001",
        "Lookalike 1% - US",
        "120220000000001",
        "Video - Stop losing leads",
    ),
    (
        "120200000000002",
        "Retargeting - Site Visitors",
        "120210000000002",
        "Visitors 30d",
        "120220000000002",
        "Carousel - Playbook",
    ),
)
SEED_LEADS_PER_FORM = 12
VALID_TOKEN = "sandbox-meta-access-token"
DEFAULT_FIELDS = ("id", "created_time")
RATE_LIMIT_CODES = {"rate_limit": 80005, "app_rate_limit": 4, "user_rate_limit": 17}
LEADGEN_CALLS_PER_LEAD = 4800  # the leadgen BUC: calls within 24 hours = 4800 * leads generated
BUC_WINDOW_SECONDS = 24 * 3600
_VERSION = re.compile(r"^/(v\d+\.\d+)(?=/|$)")


def _meta_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"i": index}).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    return int(json.loads(base64.urlsafe_b64decode(padded))["i"])


class MetaSandbox(Sandbox):
    platform = "meta"
    fault_kinds = frozenset(
        {"rate_limit", "app_rate_limit", "user_rate_limit", "transient", "server_error", "expired_token"}
    )

    def __init__(self, seed: int = 7, leads_per_form: int = SEED_LEADS_PER_FORM) -> None:
        super().__init__()
        self.page_id = PAGE_ID
        self.forms = dict(FORMS)
        self.access_token = VALID_TOKEN
        self.token_expired = False
        self.leadgen_budget: int | None = None  # calls per 24 h; None: Meta's formula
        self._leadgen_calls: list[float] = []
        self.test_lead_ids: set[str] = set()
        self._seed = seed
        self._count = 0
        self.leads: dict[str, list[dict[str, Any]]] = {f: [] for f in self.forms}
        for form_id in self.forms:
            self.add_leads(leads_per_form, form_id=form_id)

    @property
    def url(self) -> str:
        """The Graph root; leadsync appends the version (as graph.facebook.com has none built in)."""
        return self.host_url

    # -- test helpers ---------------------------------------------------------------------------
    def add_leads(
        self,
        count: int = 1,
        *,
        form_id: str | None = None,
        custom_answers: dict[str, str] | None = None,
        is_test: bool = False,
        is_organic: bool = False,
        created_time: datetime | None = None,
        raw: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Add leads (after every existing one in time) and return them as the API shows them.

        ``raw`` adds one lead exactly as given (for malformed-record tests).
        """
        form_id = form_id or next(iter(self.forms))
        with self.lock:
            if raw is not None:
                self.leads.setdefault(form_id, []).append(raw)
                return [raw]
            added = []
            for person in people(count, seed=self._seed * 1000 + self._count):
                created = created_time or seeded_time(self._count)
                camp = CAMPAIGNS[self._count % len(CAMPAIGNS)]
                self._count += 1
                answers = {
                    "email": person.email,
                    "full_name": person.full_name,
                    "phone_number": person.phone,
                    "company_name": person.company_name,
                    "job_title": person.job_title,
                    "country": person.country,
                    "what_are_you_looking_for?": person.need,
                    **(custom_answers or {}),
                }
                if is_test:
                    answers = {k: f"<test lead: dummy data for {k}>" for k in answers}
                lead = {
                    "id": f"9{self._count:014d}",
                    "created_time": _meta_time(created),
                    "form_id": form_id,
                    "is_organic": is_organic,
                    "platform": "ig" if self._count % 3 == 0 else "fb",
                    "field_data": [{"name": k, "values": [v]} for k, v in answers.items()],
                }
                if not is_organic:
                    lead.update(
                        dict(
                            zip(
                                (
                                    "campaign_id",
                                    "campaign_name",
                                    "adset_id",
                                    "adset_name",
                                    "ad_id",
                                    "ad_name",
                                ),
                                camp,
                            )
                        )
                    )
                self.leads.setdefault(form_id, []).append(lead)
                if is_test:
                    self.test_lead_ids.add(lead["id"])
                added.append(lead)
            return added

    def expire_token(self) -> None:
        """Every request from now on fails with code 190 until ``renew_token``."""
        self.token_expired = True

    def renew_token(self) -> None:
        self.token_expired = False

    @property
    def all_leads(self) -> list[dict[str, Any]]:
        return [lead for leads in self.leads.values() for lead in leads]

    # -- HTTP -----------------------------------------------------------------------------------
    def served_version(self, request: LoggedRequest) -> str | None:
        """The version that answers: None for a version Meta does not know."""
        active = VERSIONS.active(self.current_date())
        match = _VERSION.match(request.path)
        if match is None:
            return active[-1]
        asked = match.group(1)
        if asked in active:
            return asked
        if (
            asked in VERSIONS.names
            and VERSIONS.sunset[asked]
            and self.current_date() >= VERSIONS.sunset[asked]
        ):
            return active[0]  # expired: defaulted to the oldest usable version, as documented
        return None

    def leadgen_usage(self) -> tuple[int, int]:
        """(percent of the Page's leadgen budget used in the last 24 h, minutes to regain access)."""
        now = time.time()
        with self.lock:
            self._leadgen_calls = [t for t in self._leadgen_calls if now - t < BUC_WINDOW_SECONDS]
            calls = len(self._leadgen_calls)
            oldest = self._leadgen_calls[0] if calls else now
        budget = self.leadgen_budget or max(LEADGEN_CALLS_PER_LEAD * len(self.all_leads), 1)
        percent = min(100, calls * 100 // budget)
        regain = math.ceil((oldest + BUC_WINDOW_SECONDS - now) / 60) if calls >= budget else 0
        return percent, regain

    def handle(self, request: LoggedRequest) -> Response:
        version = self.served_version(request)
        path = _VERSION.sub("", request.path).strip("/")
        if version is None:
            return _error(400, f"Unknown path components: {request.path}", code=2500)
        response = self._answer(request, path)
        response.headers.setdefault("facebook-api-version", version)
        return response

    def _answer(self, request: LoggedRequest, path: str) -> Response:
        token = request.query.get("access_token") or request.headers.get("authorization", "").removeprefix(
            "Bearer "
        )
        if not token:
            return _error(
                400,
                "An active access token must be used to query information about the current user.",
                code=2500,
            )
        if token != self.access_token or self.token_expired:
            return _error(
                400,
                "Error validating access token: Session has expired on Monday, 05-Jan-26 09:00:00 PST.",
                code=190,
                subcode=463,
            )
        fault = self.faults.next_fault()
        if fault is not None:
            return _fault(fault.kind, fault.options)
        parts = path.split("/")
        if parts == [self.page_id]:
            return Response(200, {"id": self.page_id, "name": "Sandbox Analytics"})
        if len(parts) == 1 and parts[0] in self.forms:
            return Response(200, {"id": parts[0], "name": self.forms[parts[0]]})
        if len(parts) == 2 and parts[1] == "leadgen_forms":
            if parts[0] != self.page_id:
                return _unknown_object(parts[0])
            return self._list(
                request,
                [{"id": f, "name": n, "status": "ACTIVE", "locale": "en_US"} for f, n in self.forms.items()],
                ("id", "name", "status", "locale"),
            )
        if len(parts) == 2 and parts[1] in ("leads", "test_leads"):
            if parts[0] not in self.leads:
                return _unknown_object(parts[0])
            used, regain = self.leadgen_usage()
            if regain:
                return _error(
                    400,
                    "(#80005) There have been too many leadgen api calls to this Page. Wait a bit and try again.",
                    code=80005,
                    subcode=2446079,
                    transient=True,
                    headers={"X-Business-Use-Case-Usage": _usage(used, regain)},
                )
            with self.lock:
                self._leadgen_calls.append(time.time())
            leads = self.leads[parts[0]]
            if parts[1] == "test_leads":
                leads = [lead for lead in leads if lead.get("id") in self.test_lead_ids]
            try:
                leads = _filtered(leads, request.query.get("filtering"))
            except (ValueError, KeyError, TypeError):
                return _error(
                    400, "(#100) Filtering field time_created with operation must be a valid filter", code=100
                )
            answer = self._list(request, leads, DEFAULT_FIELDS)
            answer.headers["X-Business-Use-Case-Usage"] = _usage(*self.leadgen_usage())
            return answer
        return _error(400, f"Unknown path components: /{path}", code=2500)

    def _list(
        self, request: LoggedRequest, items: list[dict[str, Any]], default_fields: tuple[str, ...]
    ) -> Response:
        limit = min(int(request.query.get("limit") or 25), 1000)
        start = _uncursor(request.query["after"]) if request.query.get("after") else 0
        fields = [f for f in (request.query.get("fields") or ",".join(default_fields)).split(",") if f]
        page = items[start : start + limit]
        data = [{k: item[k] for k in ("id", *fields) if k in item} for item in page]
        body: dict[str, Any] = {"data": data}
        if page:
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}}
            if start + len(page) < len(items):
                query = {k: v for k, v in request.query.items() if k != "access_token"}
                query["after"] = body["paging"]["cursors"]["after"]
                qs = "&".join(f"{k}={v}" for k, v in query.items())
                body["paging"]["next"] = f"{self.host_url}{request.path}?{qs}"
        return Response(200, body)


def _filtered(leads: list[dict[str, Any]], filtering: str | None) -> list[dict[str, Any]]:
    if not filtering:
        return list(leads)
    out = list(leads)
    for rule in json.loads(filtering):
        if rule["field"] != "time_created":
            raise ValueError(rule["field"])
        bound = datetime.fromtimestamp(int(rule["value"]), UTC)
        op = rule["operator"]
        keep = {"GREATER_THAN": lambda t, b=bound: t > b, "LESS_THAN": lambda t, b=bound: t < b}[op]
        out = [lead for lead in out if _created(lead) is None or keep(_created(lead))]
    return out


def _created(lead: dict[str, Any]) -> datetime | None:
    try:
        return datetime.strptime(lead["created_time"], "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, ValueError, TypeError):
        return None


def _unknown_object(object_id: str) -> Response:
    return _error(
        400,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        code=100,
        subcode=33,
    )


def _usage(call_count: int, minutes: int) -> str:
    return json.dumps(
        {
            PAGE_ID: [
                {
                    "type": "leadgen",
                    "call_count": call_count,
                    "total_cputime": call_count,
                    "total_time": call_count,
                    "estimated_time_to_regain_access": minutes,
                }
            ]
        }
    )


def _error(
    status: int,
    message: str,
    *,
    code: int,
    subcode: int | None = None,
    transient: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    err: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": transient,
        "fbtrace_id": secrets.token_urlsafe(8),
    }
    if subcode is not None:
        err["error_subcode"] = subcode
    return Response(status, {"error": err}, headers or {})


def _fault(kind: str, options: dict[str, Any]) -> Response:
    if kind in RATE_LIMIT_CODES:
        minutes = int(options.get("minutes", 1))
        return _error(
            400,
            f"(#{RATE_LIMIT_CODES[kind]}) There have been too many calls. Wait a bit and try again.",
            code=RATE_LIMIT_CODES[kind],
            subcode=2446079,
            transient=True,
            headers={"X-Business-Use-Case-Usage": _usage(100, minutes)},
        )
    if kind == "transient":
        return _error(
            500, "An unexpected error has occurred. Please retry your request later.", code=2, transient=True
        )
    if kind == "server_error":
        return Response(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
    if kind == "expired_token":
        return _error(400, "Error validating access token: Session has expired.", code=190, subcode=463)
    raise ValueError(kind)  # pragma: no cover - guarded by inject_error


def start_meta_sandbox(port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> MetaSandbox:
    """Start a Meta sandbox on ``host:port`` (0: a free port); ``.url`` is its base_url."""
    return MetaSandbox(**kwargs).start(host, port)  # type: ignore[return-value]


__all__ = ["MetaSandbox", "start_meta_sandbox", "VALID_TOKEN", "PAGE_ID", "FORMS", "VERSIONS"]
