"""A local stand-in for a Salesforce org: OAuth token endpoint, REST ``queryAll`` and Bulk API 2.0.

Endpoints, with the shapes Salesforce documents:
  POST /services/oauth2/token    refresh_token grant and JWT bearer grant (RS256 assertion with
      iss = client id, sub = username, aud = login URL, exp); answers access_token + instance_url.
      https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
      https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
  GET  /services/data/vNN.N/queryAll?q=SOQL     deleted and merged rows included (IsDeleted,
      MasterRecordId); pages of ``PAGE_SIZE`` with ``done`` / ``nextRecordsUrl``
      https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
  GET  /services/data/vNN.N/queryAll/{locator}  the next page
  POST /services/data/vNN.N/jobs/query          Bulk API 2.0 query job (operation queryAll)
  GET  /services/data/vNN.N/jobs/query/{id}     job state: UploadComplete -> InProgress -> JobComplete
  GET  /services/data/vNN.N/jobs/query/{id}/results?locator=&maxRecords=   CSV, Sforce-Locator
      ("null" on the last page), Sforce-NumberOfRecords
      https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
Every REST answer carries ``Sforce-Limit-Info: api-usage=N/LIMIT``. Errors are Salesforce's error
arrays (``[{"message", "errorCode"}]``): 401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED,
400 MALFORMED_QUERY / INVALID_FIELD, 410 for retired API versions (<= 30.0, see
https://help.salesforce.com/s/articleView?id=000354473), 404 for versions newer than this org.
The same answers ``simple-salesforce`` parses (``SalesforceExpiredSession``, ``SalesforceRefusedRequest``).

SOQL is understood in the shapes leadsync sends: ``SELECT f, ... FROM Obj [WHERE a >= ts [AND b =
'x']] [ORDER BY SystemModstamp, Id]`` and ``SELECT COUNT() FROM Obj``; anything else is
MALFORMED_QUERY, as an unknown field is INVALID_FIELD.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from leadsync.ingestion.sandboxes.base import LoggedRequest, Response, Sandbox
from leadsync.ingestion.sandboxes.people import people

CLIENT_ID = "3MVG9sandbox.leadsync.connected.app"
CLIENT_SECRET = "sandbox-sf-client-secret"
REFRESH_TOKEN = "5Aep861sandbox.refresh.token"
USERNAME = "integration@leadsync.example"
OLDEST_VERSION, NEWEST_VERSION = 31.0, 68.0  # 21.0-30.0 retired Summer '25 (410 GONE)
PAGE_SIZE = 200
API_LIMIT = 100_000
SEED_START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)

FIELDS = {
    "Lead": (
        "Id",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "Company",
        "Title",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "Country",
        "State",
        "City",
        "Website",
        "LeadSource",
        "Status",
        "IsConverted",
        "ConvertedDate",
        "ConvertedContactId",
        "ConvertedOpportunityId",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "IsDeleted",
        "MasterRecordId",
    ),
    "LeadHistory": ("Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "IsDeleted"),
    "Contact": (
        "Id",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "Title",
        "LeadSource",
        "MailingCountry",
        "AccountId",
        "Account.Name",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "IsDeleted",
        "MasterRecordId",
    ),
    "Opportunity": (
        "Id",
        "Name",
        "StageName",
        "IsClosed",
        "IsWon",
        "CloseDate",
        "LeadSource",
        "CreatedDate",
        "SystemModstamp",
        "IsDeleted",
    ),
    "OpportunityContactRole": (
        "Id",
        "OpportunityId",
        "ContactId",
        "Role",
        "IsPrimary",
        "CreatedDate",
        "SystemModstamp",
        "IsDeleted",
    ),
    "Task": (
        "Id",
        "WhoId",
        "Subject",
        "Type",
        "TaskSubtype",
        "Status",
        "ActivityDate",
        "CompletedDateTime",
        "CreatedDate",
        "SystemModstamp",
        "IsDeleted",
    ),
    "Event": (
        "Id",
        "WhoId",
        "Subject",
        "Type",
        "EventSubtype",
        "StartDateTime",
        "CreatedDate",
        "SystemModstamp",
        "IsDeleted",
    ),
}
PREFIX = {
    "Lead": "00Q",
    "LeadHistory": "017",
    "Contact": "003",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "Event": "00U",
    "Account": "001",
}
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Purchased List", "Cold Call")
_SOQL = re.compile(
    r"^SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>[\w\s,]+?))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_COND = re.compile(r"^(\w+)\s*(>=|>|=)\s*('(?:[^'\\]|\\.)*'|[\w:.+-]+)$")


def sf_time(t: datetime) -> str:
    """Salesforce's dateTime format in JSON answers: 2026-09-14T09:00:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def generate_private_key() -> tuple[str, str]:
    """A fresh RSA key pair as PEM (private, public): the connected app's certificate stand-in."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class SalesforceSandbox(Sandbox):
    platform = "salesforce"
    fault_kinds = frozenset({"request_limit", "server_unavailable", "expired_session"})

    # seed 7012: the first twelve leads are the Meta sandbox's second form's people
    def __init__(self, seed: int = 7012, leads: int = 30, page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.client_id, self.client_secret, self.refresh_token = CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
        self.private_key_pem, self.public_key_pem = generate_private_key()
        self.valid_tokens: set[str] = set()
        self.page_size = page_size
        self.clock = SEED_START
        self.rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in FIELDS}
        self._counter = 0
        self._cursors: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.api_usage = 0
        self._seed = seed
        if leads:
            self.seed_leads(leads)

    @property
    def url(self) -> str:
        return self.host_url

    @property
    def login_url(self) -> str:
        return self.host_url

    # -- the org --------------------------------------------------------------------------------
    def tick(self, seconds: float = 60) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def new_id(self, obj: str) -> str:
        self._counter += 1
        return f"{PREFIX[obj]}5g00000{self._counter:08d}AAA"[:18]

    def insert(self, obj: str, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
        with self.lock:
            at = at or self.tick()
            row = {f: None for f in FIELDS[obj]}
            row.update({"Id": self.new_id(obj), "CreatedDate": sf_time(at), "IsDeleted": False})
            if "SystemModstamp" in row:
                row["SystemModstamp"] = sf_time(at)
            if "LastModifiedDate" in row:
                row["LastModifiedDate"] = sf_time(at)
            row.update(fields)
            self.rows[obj][row["Id"]] = row
            return row

    def update(self, obj: str, record_id: str, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
        with self.lock:
            at = at or self.tick()
            row = self.rows[obj][record_id]
            if obj == "Lead" and "Status" in fields and fields["Status"] != row["Status"]:
                self.insert(
                    "LeadHistory",
                    at=at,
                    LeadId=record_id,
                    Field="Status",
                    OldValue=row["Status"],
                    NewValue=fields["Status"],
                )
            row.update(fields)
            row["SystemModstamp"] = sf_time(at)
            if "LastModifiedDate" in row:
                row["LastModifiedDate"] = sf_time(at)
            return row

    def delete(self, obj: str, record_id: str, at: datetime | None = None, master: str | None = None) -> None:
        """Delete (to the recycle bin: queryAll still sees it) or, with ``master``, merge into it."""
        self.update(obj, record_id, at, IsDeleted=True, **({"MasterRecordId": master} if master else {}))

    def convert(self, lead_id: str, at: datetime | None = None, opportunity: bool = True) -> dict[str, Any]:
        """Convert a lead: a new Contact (and Opportunity with a contact role), as Lead Convert does."""
        with self.lock:
            at = at or self.tick()
            lead = self.rows["Lead"][lead_id]
            contact = self.insert(
                "Contact",
                at=at,
                FirstName=lead["FirstName"],
                LastName=lead["LastName"],
                Email=lead["Email"],
                Phone=lead["Phone"],
                Title=lead["Title"],
                LeadSource=lead["LeadSource"],
                MailingCountry=lead["Country"],
                AccountId=self.new_id("Account"),
                **{"Account.Name": lead["Company"]},
            )
            opp_id = None
            if opportunity:
                opp = self.insert(
                    "Opportunity",
                    at=at,
                    Name=f"{lead['Company']} - new business",
                    StageName="Prospecting",
                    IsClosed=False,
                    IsWon=False,
                    CloseDate=(at + timedelta(days=30)).date().isoformat(),
                    LeadSource=lead["LeadSource"],
                )
                self.insert(
                    "OpportunityContactRole",
                    at=at,
                    OpportunityId=opp["Id"],
                    ContactId=contact["Id"],
                    Role="Decision Maker",
                    IsPrimary=True,
                )
                opp_id = opp["Id"]
            self.update(
                "Lead",
                lead_id,
                at,
                Status="Closed - Converted",
                IsConverted=True,
                ConvertedDate=at.date().isoformat(),
                ConvertedContactId=contact["Id"],
                ConvertedOpportunityId=opp_id,
            )
            return contact

    def seed_leads(self, count: int, spacing_seconds: float = 5400) -> None:
        """Leads from the shared cast with realistic status histories, calls, emails and deals."""
        with self.lock:
            for i, person in enumerate(people(count, seed=self._seed)):
                created = self.tick(spacing_seconds)
                lead = self.insert(
                    "Lead",
                    at=created,
                    FirstName=person.first_name,
                    LastName=person.last_name,
                    Email=person.email,
                    Phone=person.phone,
                    Company=person.company_name,
                    Title=person.job_title,
                    Industry=person.industry,
                    NumberOfEmployees=None,
                    Country=person.country,
                    Website=f"https://{person.company_domain}",
                    LeadSource=LEAD_SOURCES[i % len(LEAD_SOURCES)],
                    Status="Open - Not Contacted",
                    IsConverted=False,
                )
                depth = i % 5
                t = created
                for n in range(min(depth, 2)):  # "called once, called twice"
                    t += timedelta(hours=6 + n * 18)
                    self.insert(
                        "Task",
                        at=t,
                        WhoId=lead["Id"],
                        Subject=f"Call {n + 1}",
                        Type="Call",
                        TaskSubtype="Call",
                        Status="Completed",
                        ActivityDate=t.date().isoformat(),
                        CompletedDateTime=sf_time(t),
                    )
                if depth >= 1:
                    self.update("Lead", lead["Id"], t, Status="Working - Contacted")
                if depth >= 2:
                    t += timedelta(days=1)
                    self.insert(
                        "Task",
                        at=t,
                        WhoId=lead["Id"],
                        Subject="Follow-up email",
                        Type="Email",
                        TaskSubtype="Email",
                        Status="Completed",
                        CompletedDateTime=sf_time(t),
                    )
                if depth == 3:
                    t += timedelta(days=2)
                    contact = self.convert(lead["Id"], t)
                    opp = next(
                        o
                        for o in self.rows["Opportunity"].values()
                        if self.rows["Lead"][lead["Id"]]["ConvertedOpportunityId"] == o["Id"]
                    )
                    t += timedelta(days=9)
                    won = i % 10 == 3
                    self.update(
                        "Opportunity",
                        opp["Id"],
                        t,
                        StageName="Closed Won" if won else "Closed Lost",
                        IsClosed=True,
                        IsWon=won,
                        CloseDate=t.date().isoformat(),
                    )
                    self.insert(
                        "Event",
                        at=t - timedelta(days=5),
                        WhoId=contact["Id"],
                        Subject="Demo",
                        Type="Meeting",
                        EventSubtype="Event",
                        StartDateTime=sf_time(t - timedelta(days=4)),
                    )
                elif depth == 4:
                    t += timedelta(days=3)
                    self.update("Lead", lead["Id"], t, Status="Closed - Not Converted")
                self.clock = max(self.clock, t)

    def add_bulk_leads(self, count: int) -> None:
        with self.lock:
            cast = people(min(count, 500), seed=self._seed + 1)
            for i in range(count):
                p = cast[i % len(cast)]
                local, domain = p.email.split("@")
                self.insert(
                    "Lead",
                    at=self.tick(1),
                    FirstName=p.first_name,
                    LastName=p.last_name,
                    Email=f"{local}.{i}@{domain}",
                    Company=p.company_name,
                    LeadSource="Purchased List",
                    Status="Open - Not Contacted",
                    IsConverted=False,
                )

    def expire_sessions(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    def revoke_refresh_token(self) -> None:
        self.refresh_token = f"revoked-{secrets.token_hex(4)}"

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(self, request: LoggedRequest) -> Response:
        if request.path == "/services/oauth2/token" and request.method == "POST":
            return self._token(request)
        m = re.fullmatch(r"/services/data/v(\d+\.\d)(/.*)", request.path)
        if not m:
            return _errors(404, "NOT_FOUND", "The requested resource does not exist")
        version, rest = float(m.group(1)), m.group(2)
        if version < OLDEST_VERSION:
            return _errors(
                410, "GONE", f"API version {m.group(1)} has been retired and is no longer available."
            )
        if version > NEWEST_VERSION:
            return _errors(404, "NOT_FOUND", "The requested resource does not exist")
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.valid_tokens:
            return _errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        fault = self.faults.next_fault()
        if fault is not None:
            return _fault(fault.kind)
        with self.lock:
            self.api_usage += 1
            prefix = f"/services/data/v{m.group(1)}"
            if rest == "/queryAll" or rest == "/query":
                answer = self._query(request.query.get("q", ""), prefix, rest, deleted=rest == "/queryAll")
            elif rest.startswith(("/queryAll/", "/query/")):
                answer = self._next_page(rest.rsplit("/", 1)[1], prefix, rest.rsplit("/", 1)[0])
            elif rest == "/jobs/query" and request.method == "POST":
                answer = self._create_job(request.json() or {}, m.group(1))
            elif (jm := re.fullmatch(r"/jobs/query/(\w+)(/results)?", rest)) is not None:
                answer = (
                    self._job(jm.group(1)) if not jm.group(2) else self._results(jm.group(1), request.query)
                )
            else:
                answer = _errors(404, "NOT_FOUND", "The requested resource does not exist")
        answer.headers.setdefault("Sforce-Limit-Info", f"api-usage={self.api_usage}/{API_LIMIT}")
        return answer

    def _token(self, request: LoggedRequest) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
                return Response(
                    400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
                )
            if form.get("refresh_token") != self.refresh_token:
                return Response(
                    400, {"error": "invalid_grant", "error_description": "expired access/refresh token"}
                )
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(
                    form.get("assertion", ""),
                    self.public_key_pem,
                    algorithms=["RS256"],
                    audience=self.login_url,
                    options={"require": ["exp", "iss", "sub", "aud"]},
                )
            except jwt.PyJWTError as exc:
                return Response(
                    400, {"error": "invalid_grant", "error_description": f"invalid assertion: {exc}"}
                )
            if claims["iss"] != self.client_id:
                return Response(
                    400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
                )
            if claims["sub"] != USERNAME:
                return Response(
                    400, {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}
                )
        else:
            return Response(
                400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            )
        token = f"00D5g000004sandbox!{secrets.token_urlsafe(24)}"
        with self.lock:
            self.valid_tokens.add(token)
        return Response(
            200,
            {
                "access_token": token,
                "instance_url": self.host_url,
                "id": f"{self.login_url}/id/00D5g000004sandbox/0055g00000sandbox",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "signature": secrets.token_urlsafe(32),
            },
        )

    def _select(self, soql: str, deleted: bool) -> tuple[str, list[str], list[dict[str, Any]]] | Response:
        m = _SOQL.match(soql.strip())
        if not m:
            return _errors(400, "MALFORMED_QUERY", f"unexpected token in: {soql[:80]}")
        obj = m.group("obj")
        if obj not in FIELDS:
            return _errors(400, "INVALID_TYPE", f"sObject type '{obj}' is not supported.")
        fields = [f.strip() for f in m.group("fields").split(",")]
        if fields != ["COUNT()"]:
            unknown = [f for f in fields if f not in FIELDS[obj]]
            if unknown:
                return _errors(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity '{obj}'.")
        rows = [r for r in self.rows[obj].values() if deleted or not r.get("IsDeleted")]
        if m.group("where"):
            for cond in re.split(r"\s+AND\s+", m.group("where"), flags=re.IGNORECASE):
                cm = _COND.match(cond.strip())
                if not cm or cm.group(1) not in FIELDS[obj]:
                    return _errors(400, "MALFORMED_QUERY", f"unexpected condition: {cond}")
                rows = [r for r in rows if _holds(r.get(cm.group(1)), cm.group(2), cm.group(3))]
        if m.group("order"):
            keys = [k.strip() for k in m.group("order").split(",")]
            if any(k not in FIELDS[obj] for k in keys):
                return _errors(400, "MALFORMED_QUERY", "unexpected ORDER BY")
            rows.sort(key=lambda r: tuple(str(r.get(k) or "") for k in keys))
        if m.group("limit"):
            rows = rows[: int(m.group("limit"))]
        return obj, fields, rows

    def _query(self, soql: str, prefix: str, kind: str, deleted: bool) -> Response:
        selected = self._select(soql, deleted)
        if isinstance(selected, Response):
            return selected
        obj, fields, rows = selected
        if fields == ["COUNT()"]:
            return Response(200, {"totalSize": len(rows), "done": True, "records": []})
        shaped = [_shape(obj, r, fields) for r in rows]
        locator = uuid.uuid4().hex[:15]
        self._cursors[locator] = (shaped, fields)
        return self._page(locator, 0, prefix, kind)

    def _page(self, locator: str, start: int, prefix: str, kind: str) -> Response:
        shaped, _ = self._cursors[locator]
        page = shaped[start : start + self.page_size]
        body: dict[str, Any] = {
            "totalSize": len(shaped),
            "done": start + len(page) >= len(shaped),
            "records": page,
        }
        if not body["done"]:
            body["nextRecordsUrl"] = f"{prefix}{kind}/01g{locator}-{start + len(page)}"
        return Response(200, body)

    def _next_page(self, token: str, prefix: str, kind: str) -> Response:
        m = re.fullmatch(r"01g(\w+)-(\d+)", token)
        if not m or m.group(1) not in self._cursors:
            return _errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(m.group(1), int(m.group(2)), prefix, kind)

    def _create_job(self, body: dict[str, Any], version: str) -> Response:
        if body.get("operation") not in ("query", "queryAll"):
            return _errors(400, "INVALIDJOB", "operation must be query or queryAll")
        selected = self._select(str(body.get("query", "")), body["operation"] == "queryAll")
        if isinstance(selected, Response):
            return selected
        obj, fields, rows = selected
        job_id = f"750{uuid.uuid4().hex[:15]}"
        self.jobs[job_id] = {"obj": obj, "fields": fields, "rows": rows, "polls": 0}
        return Response(
            200,
            {
                "id": job_id,
                "operation": body["operation"],
                "object": obj,
                "createdById": "0055g00000sandbox",
                "createdDate": sf_time(self.clock),
                "systemModstamp": sf_time(self.clock),
                "state": "UploadComplete",
                "concurrencyMode": "Parallel",
                "contentType": "CSV",
                "apiVersion": float(version),
                "lineEnding": "LF",
                "columnDelimiter": "COMMA",
            },
        )

    def _job(self, job_id: str) -> Response:
        job = self.jobs.get(job_id)
        if job is None:
            return _errors(404, "NOT_FOUND", "The requested resource does not exist")
        job["polls"] += 1
        state = "InProgress" if job["polls"] < 2 else "JobComplete"
        return Response(
            200,
            {
                "id": job_id,
                "operation": "queryAll",
                "object": job["obj"],
                "state": state,
                "numberRecordsProcessed": len(job["rows"]) if state == "JobComplete" else 0,
            },
        )

    def _results(self, job_id: str, query: dict[str, str]) -> Response:
        job = self.jobs.get(job_id)
        if job is None or job["polls"] < 2:
            return _errors(400, "INVALIDJOB", "job is not complete")
        start = int(query.get("locator") or 0)
        size = int(query.get("maxRecords") or 10_000)
        page = job["rows"][start : start + size]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(job["fields"])
        for row in page:
            writer.writerow([_csv_value(row.get(f)) for f in job["fields"]])
        nxt = start + len(page)
        return Response(
            200,
            out.getvalue().encode(),
            {
                "Content-Type": "text/csv",
                "Sforce-NumberOfRecords": str(len(page)),
                "Sforce-Locator": str(nxt) if nxt < len(job["rows"]) else "null",
            },
        )


def _holds(have: Any, op: str, literal: str) -> bool:
    if have is None:
        return False
    if literal.startswith("'"):
        want: Any = literal[1:-1]
        return op == "=" and str(have) == want
    if re.match(r"^\d{4}-\d\d-\d\dT", literal):
        left, right = _parse_time(str(have)), _parse_time(literal)
    elif literal in ("true", "false"):
        return op == "=" and bool(have) == (literal == "true")
    else:
        left, right = str(have), literal
    return {">=": left >= right, ">": left > right, "=": left == right}[op]


def _shape(obj: str, row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attributes": {"type": obj, "url": f"/services/data/v65.0/sobjects/{obj}/{row['Id']}"}
    }
    for f in fields:
        if "." in f:
            rel, name = f.split(".", 1)
            out[rel] = None if row.get(f) is None else {"attributes": {"type": rel}, name: row.get(f)}
        else:
            out[f] = row.get(f)
    return out


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _errors(status: int, code: str, message: str) -> Response:
    return Response(status, [{"message": message, "errorCode": code}])


def _fault(kind: str) -> Response:
    if kind == "request_limit":
        return _errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    if kind == "server_unavailable":
        return _errors(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable.")
    if kind == "expired_session":
        return _errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
    raise ValueError(kind)  # pragma: no cover - guarded by inject_error


def start_salesforce_sandbox(port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> SalesforceSandbox:
    """Start a Salesforce sandbox on ``host:port`` (0: a free port); ``.login_url`` is its login URL."""
    return SalesforceSandbox(**kwargs).start(host, port)  # type: ignore[return-value]


__all__ = [
    "SalesforceSandbox",
    "start_salesforce_sandbox",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "REFRESH_TOKEN",
    "USERNAME",
]
