"""A local stand-in for HubSpot's CRM v3/v4 APIs behind a private-app token.

Endpoints, with the shapes and limits HubSpot documents:
  POST /crm/v3/objects/{contacts|deals}/search        filterGroups / sorts / properties / limit / after
      https://developers.hubspot.com/docs/api/crm/search  (at most 200 per page, one sort, at most
      10,000 results per query: paging beyond answers 400; archived records are never found)
  POST /crm/v3/objects/{contacts|deals}/batch/read    inputs, properties, propertiesWithHistory
      https://developers.hubspot.com/docs/api/crm/contacts  (history newest first, each entry
      value / timestamp / sourceType; at most 50 inputs with history, 100 without)
  GET  /crm/v3/objects/{contacts|deals}?archived=true  list archived records (archivedAt), ``after``
      paging; properties in the query string: a request line over MAX_URL_CHARS answers 414
  POST /crm/v3/objects/{calls|emails|meetings}/search  engagements (hs_timestamp, hs_lastmodifieddate)
      https://developers.hubspot.com/docs/api/crm/calls, .../crm/email, .../crm/meetings
  POST /crm/v4/associations/{deals|calls|emails|meetings}/contacts/batch/read
      https://developers.hubspot.com/docs/api/crm/associations  ({"from": {"id"}, "to": [{"toObjectId",
      "associationTypes": [...]}]})
  GET  /crm/v3/pipelines/deals
      https://developers.hubspot.com/docs/api/crm/pipelines  (stage metadata isClosed/probability as strings)
Errors are HubSpot's JSON error bodies (status / message / correlationId / category); 429 bodies
carry errorType RATE_LIMIT and policyName (SECONDLY, TEN_SECONDLY_ROLLING, DAILY), as
https://developers.hubspot.com/docs/api/usage-details describes and the ``hubspot-api-client``
SDK surfaces them (``ApiException.body``).

Merges follow HubSpot: the merged-away contact disappears from search, and the survivor lists it
in ``hs_merged_object_ids`` ("123;456") with a new ``lastmodifieddate``.
"""

from __future__ import annotations

import bisect
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from leadsync.ingestion.sandboxes.base import LoggedRequest, Response, Sandbox
from leadsync.ingestion.sandboxes.people import people

VALID_TOKEN = "pat-na1-00000000-sandbox-0000-hubspot000001"
SEARCH_CAP = 10_000
SEARCH_MAX_LIMIT = 200
BATCH_MAX_INPUTS = 100
BATCH_MAX_INPUTS_WITH_HISTORY = 50
MAX_URL_CHARS = 3000  # HubSpot does not publish its limit; long property lists do get 414 there
SEED_START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

LIFECYCLE = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
LEAD_STATUSES = ("NEW", "ATTEMPTED_TO_CONTACT", "CONNECTED", "OPEN_DEAL", "UNQUALIFIED", "BAD_TIMING")
ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OFFLINE",
)
PIPELINE = {
    "id": "default",
    "label": "Sales Pipeline",
    "displayOrder": 0,
    "archived": False,
    "stages": [
        {
            "id": sid,
            "label": label,
            "displayOrder": i,
            "archived": False,
            "metadata": {"isClosed": closed, "probability": prob},
        }
        for i, (sid, label, closed, prob) in enumerate(
            (
                ("appointmentscheduled", "Appointment Scheduled", "false", "0.2"),
                ("qualifiedtobuy", "Qualified To Buy", "false", "0.4"),
                ("presentationscheduled", "Presentation Scheduled", "false", "0.6"),
                ("decisionmakerboughtin", "Decision Maker Bought-In", "false", "0.8"),
                ("contractsent", "Contract Sent", "false", "0.9"),
                ("closedwon", "Closed Won", "true", "1.0"),
                ("closedlost", "Closed Lost", "true", "0.0"),
            )
        )
    ],
}
ENGAGEMENTS = ("calls", "emails", "meetings")
RATE_LIMITS = {
    "secondly": ("SECONDLY", "You have reached your secondly limit."),
    "ten_secondly": ("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit."),
    "daily": ("DAILY", "You have reached your daily limit."),
}
_DATE_PROPS = frozenset(
    {"createdate", "lastmodifieddate", "hs_lastmodifieddate", "closedate", "hs_createdate", "hs_timestamp"}
)
# HUBSPOT_DEFINED association type ids toward contacts (https://developers.hubspot.com/docs/api/crm/associations)
CONTACT_ASSOCIATION_TYPES = {"deals": 3, "calls": 194, "emails": 198, "meetings": 200}


def hs_time(t: datetime) -> str:
    """HubSpot's datetime property format: ISO 8601, milliseconds, Z."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@dataclass
class Record:
    """One CRM object: current properties, their history (oldest first) and lifecycle flags."""

    id: str
    created: datetime
    properties: dict[str, str | None]
    history: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)
    modified: datetime | None = None
    archived_at: datetime | None = None
    merged_into: str | None = None
    associations: list[str] = field(default_factory=list)  # deals and engagements -> contact ids
    kind: str = "contacts"

    @property
    def searchable(self) -> bool:
        return self.archived_at is None and self.merged_into is None


class HubSpotSandbox(Sandbox):
    platform = "hubspot"
    fault_kinds = frozenset({*RATE_LIMITS, "server_error", "expired_token"})

    # seed 7000: the first twelve contacts are the Meta sandbox's first form's people (one person,
    # two channels: what identity resolution must join)
    def __init__(self, seed: int = 7000, contacts: int = 40) -> None:
        super().__init__()
        self.token = VALID_TOKEN
        self.clock = SEED_START
        self.records: dict[str, dict[str, Record]] = {k: {} for k in ("contacts", "deals", *ENGAGEMENTS)}
        self._next_id = {"contacts": 1001, "deals": 5001, "calls": 30001, "emails": 40001, "meetings": 50001}
        self._index_lock = threading.Lock()
        self._index: dict[tuple[str, str], tuple[int, list[tuple[int, int, Record]]]] = {}
        self._version = 0
        self._seed = seed
        if contacts:
            self.seed_contacts(contacts)

    @property
    def url(self) -> str:
        return self.host_url

    # -- the world ------------------------------------------------------------------------------
    def tick(self, seconds: float = 60) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def _touch(self) -> None:
        self._version += 1

    def _set(self, rec: Record, prop: str, value: str | None, at: datetime) -> None:
        rec.properties[prop] = value
        rec.history.setdefault(prop, []).append((value or "", at))
        rec.modified = at
        # contacts stamp lastmodifieddate, deals and engagements hs_lastmodifieddate (as HubSpot names them)
        rec.properties["lastmodifieddate" if rec.kind == "contacts" else "hs_lastmodifieddate"] = hs_time(at)
        self._touch()

    def add_contact(self, *, at: datetime | None = None, **properties: str | None) -> Record:
        """A new contact created at ``at`` (default: the sandbox clock, then advanced)."""
        with self.lock:
            at = at or self.tick()
            cid = str(self._next_id["contacts"])
            self._next_id["contacts"] += 1
            rec = Record(cid, at, {"hs_object_id": cid, "createdate": hs_time(at)})
            for prop, value in {"lifecyclestage": "lead", "hs_lead_status": "NEW", **properties}.items():
                self._set(rec, prop, value, at)
            self.records["contacts"][cid] = rec
            return rec

    def update(
        self, kind: str, record_id: str, at: datetime | None = None, **properties: str | None
    ) -> Record:
        with self.lock:
            rec = self.records[kind][record_id]
            at = at or self.tick()
            for prop, value in properties.items():
                self._set(rec, prop, value, at)
            return rec

    def archive(self, kind: str, record_id: str, at: datetime | None = None) -> None:
        with self.lock:
            rec = self.records[kind][record_id]
            rec.archived_at = at or self.tick()
            self._touch()

    def merge(self, primary_id: str, merged_id: str, at: datetime | None = None) -> None:
        """Merge contact ``merged_id`` into ``primary_id`` (POST /crm/v3/objects/contacts/merge)."""
        with self.lock:
            at = at or self.tick()
            primary, loser = self.records["contacts"][primary_id], self.records["contacts"][merged_id]
            loser.merged_into = primary_id
            ids = [i for i in (primary.properties.get("hs_merged_object_ids") or "").split(";") if i]
            self._set(primary, "hs_merged_object_ids", ";".join([*ids, merged_id]), at)

    def add_deal(
        self, contact_ids: list[str], stages: list[tuple[str, datetime]], name: str = "Deal"
    ) -> Record:
        with self.lock:
            did = str(self._next_id["deals"])
            self._next_id["deals"] += 1
            first = stages[0][1]
            rec = Record(
                did,
                first,
                {
                    "hs_object_id": did,
                    "dealname": name,
                    "pipeline": "default",
                    "createdate": hs_time(first),
                    "amount": "12000",
                },
                kind="deals",
            )
            rec.associations = list(contact_ids)
            for stage, at in stages:
                self._set(rec, "dealstage", stage, at)
            self.records["deals"][did] = rec
            return rec

    def add_engagement(self, kind: str, contact_ids: list[str], at: datetime, **properties: str) -> Record:
        """A call, email or meeting at ``at`` (hs_timestamp), associated with ``contact_ids``."""
        if kind not in ENGAGEMENTS:
            raise ValueError(f"engagements are {sorted(ENGAGEMENTS)}, not {kind!r}")
        with self.lock:
            eid = str(self._next_id[kind])
            self._next_id[kind] += 1
            rec = Record(eid, at, {"hs_object_id": eid, "hs_createdate": hs_time(at)}, kind=kind)
            rec.associations = list(contact_ids)
            for prop, value in {"hs_timestamp": hs_time(at), **properties}.items():
                self._set(rec, prop, value, at)
            self.records[kind][eid] = rec
            return rec

    def seed_contacts(self, count: int, *, with_history: bool = True, spacing_seconds: float = 3600) -> None:
        """``count`` contacts (the shared sandbox cast), with realistic lifecycle histories and
        deals for the ones that got that far."""
        cast = people(count, seed=self._seed)
        with self.lock:
            for i, person in enumerate(cast):
                created = self.tick(spacing_seconds)
                rec = self.add_contact(
                    at=created,
                    email=person.email,
                    firstname=person.first_name,
                    lastname=person.last_name,
                    phone=person.phone,
                    company=person.company_name,
                    website=f"https://{person.company_domain}",
                    jobtitle=person.job_title,
                    industry=person.industry,
                    numemployees=person.employee_count,
                    country=person.country,
                    message=person.need,
                    hs_analytics_source=ANALYTICS_SOURCES[i % len(ANALYTICS_SOURCES)],
                    lifecyclestage="subscriber" if with_history else "lead",
                )
                if not with_history:
                    continue
                depth = i % 6  # how far this person got
                t = created
                steps = [
                    ("lifecyclestage", "lead"),
                    ("hs_lead_status", "ATTEMPTED_TO_CONTACT"),
                    ("hs_lead_status", "CONNECTED"),
                    ("lifecyclestage", "salesqualifiedlead"),
                    ("lifecyclestage", "opportunity"),
                ][: depth + 1]
                for prop, value in steps:
                    t += timedelta(hours=20 + i % 7)
                    self._set(rec, prop, value, t)
                    if value == "ATTEMPTED_TO_CONTACT":  # the rep logs the call and sets the status
                        self.add_engagement(
                            "calls",
                            [rec.id],
                            t,
                            hs_call_direction="OUTBOUND",
                            hs_call_status="COMPLETED",
                            hs_call_disposition="f240bbac-87c9-4f6e-bf70-924b57d47db7",
                        )
                    elif value == "salesqualifiedlead":
                        self.add_engagement("meetings", [rec.id], t, hs_meeting_outcome="COMPLETED")
                if depth == 4:
                    won = i % 12 == 4
                    stages = [
                        ("appointmentscheduled", t),
                        ("qualifiedtobuy", t + timedelta(days=3)),
                        ("closedwon" if won else "closedlost", t + timedelta(days=10)),
                    ]
                    self.add_deal([rec.id], stages, name=f"{person.company_name} - new business")
                    if won:
                        self._set(rec, "lifecyclestage", "customer", t + timedelta(days=10))
                elif depth == 5:
                    self._set(rec, "hs_lead_status", "UNQUALIFIED", t + timedelta(days=1))
                self.clock = max(self.clock, t)

    def add_bulk(self, count: int, *, at: datetime | None = None, spacing_ms: int = 1) -> None:
        """``count`` plain contacts fast (benchmarks, the 10,000 cap); ``spacing_ms=0``: all share
        one timestamp."""
        with self.lock:
            base = at or self.tick()
            for i, person in enumerate(people(min(count, 500), seed=self._seed + 1) * (count // 500 + 1)):
                if i >= count:
                    break
                t = base + timedelta(milliseconds=i * spacing_ms)
                cid = str(self._next_id["contacts"])
                self._next_id["contacts"] += 1
                local, domain = person.email.split("@")
                props = {
                    "hs_object_id": cid,
                    "createdate": hs_time(t),
                    "lastmodifieddate": hs_time(t),
                    "email": f"{local}.{cid}@{domain}",
                    "firstname": person.first_name,
                    "lastname": person.last_name,
                    "company": person.company_name,
                    "lifecyclestage": "lead",
                    "hs_lead_status": "NEW",
                    "hs_analytics_source": "OFFLINE",
                }
                rec = Record(
                    cid, t, props, {"lifecyclestage": [("lead", t)], "hs_lead_status": [("NEW", t)]}, t
                )
                self.records["contacts"][cid] = rec
            self.clock = max(self.clock, base + timedelta(milliseconds=count * spacing_ms))
            self._touch()

    def expire_token(self) -> None:
        self.token = f"expired-{uuid.uuid4().hex}"

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(self, request: LoggedRequest) -> Response:
        if len(request.path) + len(request.raw_query) + 1 > MAX_URL_CHARS:
            return Response(
                414,
                b"<html><body><h1>414 Request-URI Too Large</h1></body></html>",
                {"Content-Type": "text/html"},
            )
        if request.headers.get("authorization", "") != f"Bearer {self.token}":
            return _error(
                401,
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION",
            )
        fault = self.faults.next_fault()
        if fault is not None:
            return _fault(fault.kind)
        m = re.fullmatch(
            r"/crm/v3/objects/(contacts|deals|calls|emails|meetings)(/search|/batch/read)?", request.path
        )
        assoc = re.fullmatch(
            r"/crm/v4/associations/(deals|calls|emails|meetings)/contacts/batch/read", request.path
        )
        with self.lock:
            if m and m.group(2) == "/search" and request.method == "POST":
                return self._search(m.group(1), request.json() or {})
            if m and m.group(2) == "/batch/read" and request.method == "POST":
                return self._batch_read(m.group(1), request.json() or {})
            if m and m.group(2) is None and request.method == "GET":
                return self._list(m.group(1), request.query)
            if assoc and request.method == "POST":
                return self._associations(assoc.group(1), request.json() or {})
            if request.path == "/crm/v3/pipelines/deals":
                return Response(200, {"results": [PIPELINE]})
        return _error(404, f"Unable to route {request.method} {request.path}", "OBJECT_NOT_FOUND")

    def _public(self, rec: Record, properties: list[str] | None, archived: bool = False) -> dict[str, Any]:
        wanted = properties or ["createdate", "hs_object_id", "lastmodifieddate"]
        out: dict[str, Any] = {
            "id": rec.id,
            "properties": {p: rec.properties.get(p) for p in wanted},
            "createdAt": hs_time(rec.created),
            "updatedAt": hs_time(rec.modified or rec.created),
            "archived": archived,
        }
        if archived and rec.archived_at:
            out["archivedAt"] = hs_time(rec.archived_at)
        return out

    def _sorted(self, kind: str, prop: str) -> list[tuple[int, int, Record]]:
        """Searchable records ordered by ``prop`` (then id), rebuilt only after a change."""
        with self._index_lock:
            cached = self._index.get((kind, prop))
            if cached and cached[0] == self._version:
                return cached[1]
            rows = []
            for rec in self.records[kind].values():
                if rec.searchable:
                    rows.append((_sort_key(prop, rec.properties.get(prop)), int(rec.id), rec))
            rows.sort(key=lambda r: (r[0], r[1]))
            self._index[(kind, prop)] = (self._version, rows)
            return rows

    def _search(self, kind: str, body: dict[str, Any]) -> Response:
        limit = int(body.get("limit") or 10)
        if limit > SEARCH_MAX_LIMIT:
            return _error(400, f"limit must be at most {SEARCH_MAX_LIMIT}", "VALIDATION_ERROR")
        after = int(body.get("after") or 0)
        if after >= SEARCH_CAP:
            return _error(
                400,
                "There was a problem with the request. The search API returns at most "
                f"{SEARCH_CAP} results per query.",
                "VALIDATION_ERROR",
            )
        sorts = body.get("sorts") or [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
        if len(sorts) > 1:
            return _error(400, "Only one sort is supported", "VALIDATION_ERROR")
        sort_prop = sorts[0]["propertyName"] if isinstance(sorts[0], dict) else str(sorts[0])
        groups = body.get("filterGroups") or []
        try:
            rows = self._sorted(kind, sort_prop)
            matched = [r for r in _narrow(rows, groups, sort_prop) if _matches(r[2], groups)]
        except (KeyError, ValueError, TypeError) as exc:
            return _error(400, f"Invalid input JSON: {exc}", "VALIDATION_ERROR")
        if isinstance(sorts[0], dict) and sorts[0].get("direction") == "DESCENDING":
            matched.reverse()
        page = matched[after : after + limit]
        props = list(body.get("properties") or [])
        answer: dict[str, Any] = {"total": len(matched), "results": [self._public(r[2], props) for r in page]}
        if after + limit < len(matched):
            nxt = str(after + limit)
            answer["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        return Response(200, answer, _limit_headers())

    def _batch_read(self, kind: str, body: dict[str, Any]) -> Response:
        inputs = body.get("inputs") or []
        history = list(body.get("propertiesWithHistory") or [])
        cap = BATCH_MAX_INPUTS_WITH_HISTORY if history else BATCH_MAX_INPUTS
        if len(inputs) > cap:
            return _error(400, f"Batch input size must be at most {cap}", "VALIDATION_ERROR")
        results, errors = [], []
        for item in inputs:
            rec = self.records[kind].get(str(item.get("id")))
            while rec is not None and rec.merged_into:  # merged-away ids read as the survivor
                rec = self.records[kind].get(rec.merged_into)
            if rec is None or rec.archived_at:
                errors.append(str(item.get("id")))
                continue
            out = self._public(rec, list(body.get("properties") or []))
            if history:
                out["propertiesWithHistory"] = {
                    p: [
                        {
                            "value": v,
                            "timestamp": hs_time(t),
                            "sourceType": "CRM_UI",
                            "sourceId": "userId:4100",
                        }
                        for v, t in reversed(rec.history.get(p, []))
                    ]
                    for p in history
                }
            results.append(out)
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": hs_time(self.clock),
            "completedAt": hs_time(self.clock),
        }
        if errors:
            answer["numErrors"] = 1
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "Could not get some objects, they may be deleted or not exist.",
                    "context": {"ids": errors},
                }
            ]
            return Response(207, answer)
        return Response(200, answer, _limit_headers())

    def _list(self, kind: str, query: dict[str, str]) -> Response:
        archived = query.get("archived") == "true"
        limit = min(int(query.get("limit") or 10), 100)
        after = int(query.get("after") or 0)
        props = [p for p in (query.get("properties") or "").split(",") if p]
        recs = sorted(
            (r for r in self.records[kind].values() if bool(r.archived_at) == archived),
            key=lambda r: int(r.id),
        )
        recs = [r for r in recs if int(r.id) > after]
        page = recs[:limit]
        answer: dict[str, Any] = {"results": [self._public(r, props, archived) for r in page]}
        if len(recs) > limit:
            answer["paging"] = {"next": {"after": page[-1].id, "link": f"?after={page[-1].id}"}}
        return Response(200, answer, _limit_headers())

    def _associations(self, kind: str, body: dict[str, Any]) -> Response:
        results = []
        for item in body.get("inputs") or []:
            deal = self.records[kind].get(str(item.get("id")))
            if deal is None:
                continue
            results.append(
                {
                    "from": {"id": deal.id},
                    "to": [
                        {
                            "toObjectId": int(c),
                            "associationTypes": [
                                {
                                    "category": "HUBSPOT_DEFINED",
                                    "typeId": CONTACT_ASSOCIATION_TYPES[kind],
                                    "label": None,
                                }
                            ],
                        }
                        for c in deal.associations
                    ],
                }
            )
        return Response(
            200,
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": hs_time(self.clock),
                "completedAt": hs_time(self.clock),
            },
        )


def _sort_key(prop: str, value: str | None) -> int:
    if value is None or value == "":
        return -1
    if prop in _DATE_PROPS:
        return _ms(datetime.fromisoformat(value))
    return int(value) if value.lstrip("-").isdigit() else hash(value)


def _filter_value(prop: str, value: Any) -> int:
    text = str(value)
    if prop in _DATE_PROPS and not text.lstrip("-").isdigit():
        return _ms(datetime.fromisoformat(text))
    return int(text)


_OPS = {
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
}


def _matches(rec: Record, groups: list[dict[str, Any]]) -> bool:
    """filterGroups are ORed, the filters inside a group ANDed (search docs, "Filter search results")."""
    if not groups:
        return True
    for group in groups:
        ok = True
        for f in group.get("filters") or []:
            prop, op = f["propertyName"], f["operator"]
            if op not in _OPS:
                raise ValueError(f"operator {op} is not supported here")
            have = rec.properties.get(prop)
            if have is None or have == "":
                ok = False
                break
            if not _OPS[op](_sort_key(prop, have), _filter_value(prop, f["value"])):
                ok = False
                break
        if ok:
            return True
    return False


def _narrow(rows: list[tuple[int, int, Record]], groups: list[dict[str, Any]], sort_prop: str) -> list:
    """A one-group lower bound on the sort property is a bisect, not a scan (100k benchmarks)."""
    if len(groups) != 1:
        return rows
    lows = [
        f
        for f in groups[0].get("filters") or []
        if f.get("propertyName") == sort_prop and f.get("operator") in ("GT", "GTE", "EQ")
    ]
    if not lows:
        return rows
    bound = _filter_value(sort_prop, lows[0]["value"])
    keys = [r[0] for r in rows]
    return rows[bisect.bisect_left(keys, bound) :]


def _limit_headers() -> dict[str, str]:
    return {
        "X-HubSpot-RateLimit-Daily": "500000",
        "X-HubSpot-RateLimit-Daily-Remaining": "499000",
        "X-HubSpot-RateLimit-Secondly": "19",
        "X-HubSpot-RateLimit-Secondly-Remaining": "18",
    }


def _error(status: int, message: str, category: str, **extra: Any) -> Response:
    return Response(
        status,
        {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
            **extra,
        },
    )


def _fault(kind: str) -> Response:
    if kind in RATE_LIMITS:
        policy, message = RATE_LIMITS[kind]
        body = {
            "status": "error",
            "message": message,
            "errorType": "RATE_LIMIT",
            "correlationId": str(uuid.uuid4()),
            "policyName": policy,
            "groupName": "publicapi:private-app:4100",
            "requestId": uuid.uuid4().hex,
        }
        return Response(429, body, {"Retry-After": "1"} if policy != "DAILY" else {})
    if kind == "server_error":
        return Response(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
    if kind == "expired_token":
        return _error(
            401, "The OAuth token used to make this call expired 0 second(s) ago.", "EXPIRED_AUTHENTICATION"
        )
    raise ValueError(kind)  # pragma: no cover - guarded by inject_error


def start_hubspot_sandbox(port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> HubSpotSandbox:
    """Start a HubSpot sandbox on ``host:port`` (0: a free port); ``.url`` is its base_url."""
    return HubSpotSandbox(**kwargs).start(host, port)  # type: ignore[return-value]


__all__ = ["HubSpotSandbox", "start_hubspot_sandbox", "VALID_TOKEN", "SEARCH_CAP", "PIPELINE", "hs_time"]
