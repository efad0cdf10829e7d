"""A local stand-in for LinkedIn's Lead Sync API (Marketing API, Rest.li 2.0).

Endpoints:
  POST /oauth/v2/accessToken       refresh-token grant -> {"access_token", "expires_in", ...}
  GET  /rest/leadFormResponses     q=owner&owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A<id>)
                                   &leadType=(leadType:SPONSORED)
                                   &submittedAtTimeRange=(start:<ms>,end:<ms>)&start=&count=
  GET  /rest/leadForms/{id}        the form definition: questions with questionId / predefinedField

Requests must send ``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``; the
sandbox checks the Rest.li encoding on the raw query (parentheses literal, URNs inside
percent-encoded). A version that is not active in ad_platforms/linkedin/versions.toml gets
LinkedIn's 426 ``{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20241001
is not active"}``. ``limitedToTestLeads`` filters test leads; a ``fields`` projection with
``form:(...)`` puts the form definition into each response, as LinkedIn's Lead Sync collection
shows. Errors: 401 ``EXPIRED_ACCESS_TOKEN`` (serviceErrorCode 65601), 429 for a used-up daily
quota (no ``Retry-After``: LinkedIn documents none), 500/503 transient. Answers are keyed by ``questionId``; ``testLead`` flags test
submissions.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from leadsync.ingestion.sandboxes.base import LoggedRequest, OAuthSandbox, PublishedVersions, Response
from leadsync.ingestion.sandboxes.people import people, seeded_time

VERSIONS = PublishedVersions.of("linkedin")
ACCOUNT_ID = "510000001"
CLIENT_ID = "sandbox-linkedin-client"
CLIENT_SECRET = "sandbox-linkedin-secret"
REFRESH_TOKEN = "sandbox-linkedin-refresh-token"
FORM_ID = 6543210
CAMPAIGNS = ("urn:li:sponsoredCampaign:330001", "urn:li:sponsoredCampaign:330002")
CREATIVES = ("urn:li:sponsoredCreative:440001", "urn:li:sponsoredCreative:440002")
SEED_LEADS = 14
_PREDEFINED = (
    ("firstName", "FIRST_NAME", "First name"),
    ("lastName", "LAST_NAME", "Last name"),
    ("email", "EMAIL", "Email address"),
    ("company", "COMPANY_NAME", "Company name"),
    ("jobTitle", "JOB_TITLE", "Job title"),
    ("country", "COUNTRY", "Country/Region"),
    ("phone", "PHONE_NUMBER", "Phone number"),
)
_OWNER = re.compile(r"(?:^|&)owner=\(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A(\d+)\)(?:&|$)")
_RANGE = re.compile(r"(?:^|&)submittedAtTimeRange=\(start:(\d+)(?:,end:(\d+))?\)(?:&|$)")


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class LinkedInSandbox(OAuthSandbox):
    platform = "linkedin"
    fault_kinds = frozenset({"rate_limit", "transient", "expired_token"})

    def __init__(self, seed: int = 11, leads: int = SEED_LEADS) -> None:
        super().__init__(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        self.account_id = ACCOUNT_ID
        self.tokens_issued = 0
        self._seed = seed
        self._count = 0
        self.questions: list[dict[str, Any]] = [
            {
                "questionId": i + 1,
                "name": name,
                "predefinedField": field,
                "question": {"localized": {"en_US": label}},
                "questionDetails": {"textQuestionDetails": {"maxResponseLength": 300}},
            }
            for i, (name, field, label) in enumerate(_PREDEFINED)
        ]
        self.questions.append(
            {
                "questionId": 20,
                "name": "teamSize",
                "question": {"localized": {"en_US": "How big is your team?"}},
                "questionDetails": {
                    "multipleChoiceQuestionDetails": {
                        "options": [
                            {"id": 1, "text": {"localized": {"en_US": "1-10"}}},
                            {"id": 2, "text": {"localized": {"en_US": "11-50"}}},
                            {"id": 3, "text": {"localized": {"en_US": "51+"}}},
                        ]
                    }
                },
            }
        )
        self.form_version = 1
        self.responses: list[dict[str, Any]] = []
        self.add_leads(leads)

    @property
    def token_url(self) -> str:
        return f"{self.host_url}/oauth/v2/accessToken"

    # -- test helpers ---------------------------------------------------------------------------
    def add_question(self, name: str, label: str) -> int:
        """Add a custom text question to the form (a new form version); returns its questionId."""
        with self.lock:
            qid = max(q["questionId"] for q in self.questions) + 1
            self.questions.append(
                {
                    "questionId": qid,
                    "name": name,
                    "question": {"localized": {"en_US": label}},
                    "questionDetails": {"textQuestionDetails": {"maxResponseLength": 300}},
                }
            )
            self.form_version += 1
            return qid

    def add_leads(
        self,
        count: int = 1,
        *,
        is_test: bool = False,
        custom_answers: dict[int, str] | None = None,
        submitted_at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Add submissions after every existing one; ``custom_answers`` maps questionId -> text."""
        with self.lock:
            added = []
            for person in people(count, seed=self._seed * 1000 + self._count):
                when = submitted_at or seeded_time(self._count)
                self._count += 1
                values = {
                    "FIRST_NAME": person.first_name,
                    "LAST_NAME": person.last_name,
                    "EMAIL": person.email,
                    "COMPANY_NAME": person.company_name,
                    "JOB_TITLE": person.job_title,
                    "COUNTRY": person.country,
                    "PHONE_NUMBER": person.phone,
                }
                answers = [
                    {
                        "questionId": q["questionId"],
                        "answerDetails": {"textQuestionAnswer": {"answer": values[q["predefinedField"]]}},
                    }
                    for q in self.questions
                    if q.get("predefinedField") in values
                ]
                answers.append(
                    {
                        "questionId": 20,
                        "answerDetails": {"multipleChoiceAnswer": {"options": [1 + self._count % 3]}},
                    }
                )
                for qid, text in (custom_answers or {}).items():
                    answers.append(
                        {"questionId": qid, "answerDetails": {"textQuestionAnswer": {"answer": text}}}
                    )
                response = {
                    "id": f"{self._seed:08x}-{self._count:04x}-4a1b-9c2d-{self._count:012x}",
                    "owner": {"sponsoredAccount": f"urn:li:sponsoredAccount:{self.account_id}"},
                    "submitter": f"urn:li:person:sbx{self._count:06d}",
                    "leadType": "SPONSORED",
                    "testLead": is_test,
                    "submittedAt": _ms(when),
                    "versionedLeadGenFormUrn": f"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:{FORM_ID},{self.form_version})",
                    "leadMetadata": {"sponsoredLeadMetadata": {"campaign": CAMPAIGNS[self._count % 2]}},
                    "associatedEntity": {"associatedCreative": CREATIVES[self._count % 2]},
                    "formResponse": {
                        "answers": answers,
                        "consentResponses": [{"accepted": True, "consentId": 1}],
                    },
                }
                self.responses.append(response)
                added.append(response)
            return added

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(self, request: LoggedRequest) -> Response:
        if request.path == "/oauth/v2/accessToken" and request.method == "POST":
            return self._token(request)
        if not request.path.startswith("/rest/"):
            return _error(404, "Resource not found", "NOT_FOUND")
        if not self.has_valid_token(request):
            return _error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65601)
        version = request.headers.get("linkedin-version", "")
        if not re.fullmatch(r"\d{6}(\.\d{2})?", version):
            return _error(
                426,
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                "VERSION_MISSING",
            )
        if not VERSIONS.is_active(version, self.current_date()):
            # LinkedIn spells the version as a date in this message: 202410 -> 20241001
            return _error(426, f"Requested version {version[:6]}01 is not active", "NONEXISTENT_VERSION")
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return _error(
                400,
                "Rest.li protocol version 2.0.0 is required (X-Restli-Protocol-Version)",
                "ILLEGAL_ARGUMENT",
            )
        fault = self.faults.next_fault()
        if fault is not None:
            if fault.kind == "rate_limit":
                # the body as the live API sends it (LinkedIn prints none; quoted in
                # tests/ingestion/ad_platforms/contracts/documented/linkedin_429_throttle.json)
                return _error(
                    429,
                    "Resource level throttle limit for calls to this resource is reached.",
                    service_code=101,
                )
            if fault.kind == "transient":
                return _error(503, "Service Unavailable", "SERVICE_UNAVAILABLE")
            return _error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65601)
        if request.path == f"/rest/leadForms/{FORM_ID}":
            return Response(200, self._form())
        if request.path == "/rest/leadFormResponses":
            return self._responses(request)
        return _error(404, f"No resource at {request.path}", "NOT_FOUND")

    def _form(self) -> dict[str, Any]:
        return {
            "id": FORM_ID,
            "name": "Sandbox - Request a demo",
            "state": "PUBLISHED",
            "creationLocale": {"country": "US", "language": "en"},
            "hiddenFields": [],
            "owner": {"sponsoredAccount": f"urn:li:sponsoredAccount:{self.account_id}"},
            "versionId": self.form_version,
            "content": {"questions": list(self.questions)},
        }

    def _token(self, request: LoggedRequest) -> Response:
        refused = self.refused_grant(
            request,
            bad_client="Client authentication failed",
            bad_grant="The provided authorization grant or refresh token is invalid, expired or revoked",
        )
        if refused:
            return refused
        with self.lock:
            self.tokens_issued += 1
            token = f"sbx-li-{self.tokens_issued}-{secrets.token_hex(6)}"
            self.valid_tokens.add(token)
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": 5183999,
                "refresh_token": self.refresh_token,
                "refresh_token_expires_in": 31535999,
            },
        )

    def _responses(self, request: LoggedRequest) -> Response:
        q = request.query
        owner = _OWNER.search(request.raw_query)
        if q.get("q") != "owner" or owner is None:
            return _error(
                400,
                "owner must be (sponsoredAccount:<encoded urn>) with q=owner (Rest.li 2.0 encoding)",
                "ILLEGAL_ARGUMENT",
            )
        if owner.group(1) != self.account_id:
            return _error(403, "Not enough permissions to access: leadFormResponses", "ACCESS_DENIED", 100)
        if "leadType=(leadType:SPONSORED)" not in request.raw_query:
            return _error(400, "leadType must be (leadType:SPONSORED)", "ILLEGAL_ARGUMENT")
        items = sorted(self.responses, key=lambda r: r["submittedAt"])
        rng = _RANGE.search(request.raw_query)
        if rng:
            lo, hi = int(rng.group(1)), int(rng.group(2)) if rng.group(2) else None
            items = [r for r in items if r["submittedAt"] >= lo and (hi is None or r["submittedAt"] < hi)]
        if q.get("limitedToTestLeads") == "true":
            items = [r for r in items if r["testLead"]]
        start, count = int(q.get("start") or 0), min(int(q.get("count") or 10), 1000)
        page = items[start : start + count]
        if "form:(" in (q.get("fields") or ""):
            page = [{**r, "form": self._form()} for r in page]
        return Response(
            200,
            {
                "elements": page,
                "paging": {"start": start, "count": count, "links": [], "total": len(items)},
            },
        )


def _error(status: int, message: str, code: str | None = None, service_code: int | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return Response(status, body)


def start_linkedin_sandbox(port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> LinkedInSandbox:
    """Start a LinkedIn sandbox; ``.url`` is the base_url, ``.token_url`` the OAuth endpoint."""
    return LinkedInSandbox(**kwargs).start(host, port)  # type: ignore[return-value]
