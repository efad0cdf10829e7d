"""A local stand-in for the Google Ads API (REST) lead form submissions, plus Google's OAuth token endpoint.

Endpoints:
  POST /token                                             refresh-token grant (oauth2.googleapis.com/token)
  POST /{version}/customers/{cid}/googleAds:searchStream  body {"query": "<GAQL>"}; the answer is a JSON
                                                          array of batches {"results", "fieldMask", "requestId"}

Understood GAQL: ``FROM lead_form_submission_data`` with ``submission_date_time >= / <`` bounds,
``FROM customer`` (time_zone), ``FROM campaign`` / ``FROM ad_group`` (id, name). Requests need
``Authorization: Bearer``, ``developer-token`` and, when acting through a manager, ``login-customer-id``.
Errors are google.rpc.Status bodies with GoogleAdsFailure details: 401 UNAUTHENTICATED, 429
RESOURCE_EXHAUSTED (quotaError, retryDelay), 503 UNAVAILABLE.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadsync.ingestion.sandboxes.base import LoggedRequest, OAuthSandbox, PublishedVersions, Response
from leadsync.ingestion.sandboxes.people import people, seeded_time

VERSIONS = PublishedVersions.of("google_ads")
CUSTOMER_ID = "1234567890"
LOGIN_CUSTOMER_ID = "9876543210"
DEVELOPER_TOKEN = "sandbox-developer-token"
CLIENT_ID = "sandbox-google-client.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-google-secret"
REFRESH_TOKEN = "1//sandbox-google-refresh-token"
TIME_ZONE = "America/New_York"
CAMPAIGNS = {"21000000001": "Search - Lead Routing Software", "21000000002": "Performance Max - Demo"}
AD_GROUPS = {"15500000001": "Lead routing - exact", "15500000002": "Lead management - broad"}
SEED_LEADS = 10
BATCH_SIZE = 4  # real streams batch 10,000 rows; small here so tests see several batches
_FAILURE = "type.googleapis.com/google.ads.googleads.{version}.errors.GoogleAdsFailure"
_BOUND = re.compile(r"lead_form_submission_data\.submission_date_time\s*(>=|<=|>|<)\s*'([^']+)'")
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


class GoogleAdsSandbox(OAuthSandbox):
    platform = "google_ads"
    fault_kinds = frozenset({"rate_limit", "transient", "expired_token"})

    def __init__(self, seed: int = 13, leads: int = SEED_LEADS) -> None:
        super().__init__(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        self.customer_id = CUSTOMER_ID
        self.login_customer_id = LOGIN_CUSTOMER_ID  # the manager account the customer is reached through
        self.tz = ZoneInfo(TIME_ZONE)
        self._seed = seed
        self._count = 0
        self.submissions: list[dict[str, Any]] = []
        self.add_leads(leads)

    @property
    def token_url(self) -> str:
        return f"{self.host_url}/token"

    # -- test helpers ---------------------------------------------------------------------------
    def add_leads(
        self,
        count: int = 1,
        *,
        custom_answers: dict[str, str] | None = None,
        submitted_at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Add submissions (after every existing one) and return them in the API's shape."""
        with self.lock:
            added = []
            for person in people(count, seed=self._seed * 1000 + self._count):
                when = (submitted_at or seeded_time(self._count)).astimezone(self.tz)
                self._count += 1
                campaign = list(CAMPAIGNS)[self._count % 2]
                ad_group = list(AD_GROUPS)[self._count % 2]
                sub_id = f"Cj0K{self._seed:04d}{self._count:06d}"
                customs = {"What is your timeline?": "This quarter", **(custom_answers or {})}
                data = {
                    "resourceName": f"customers/{self.customer_id}/leadFormSubmissionData/{sub_id}",
                    "id": sub_id,
                    "asset": f"customers/{self.customer_id}/assets/7700000001",
                    "campaign": f"customers/{self.customer_id}/campaigns/{campaign}",
                    "adGroup": f"customers/{self.customer_id}/adGroups/{ad_group}",
                    "adGroupAd": f"customers/{self.customer_id}/adGroupAds/{ad_group}~66000000{self._count % 2}",
                    "gclid": f"EAIaIQobChMI{self._seed}x{self._count:05d}",
                    # documented format, with the account's offset: "2019-01-01 12:32:45-08:00"
                    "submissionDateTime": when.isoformat(sep=" "),
                    "leadFormSubmissionFields": [
                        {"fieldType": "FULL_NAME", "fieldValue": person.full_name},
                        {"fieldType": "WORK_EMAIL", "fieldValue": person.email},
                        {"fieldType": "PHONE_NUMBER", "fieldValue": person.phone},
                        {"fieldType": "COMPANY_NAME", "fieldValue": person.company_name},
                        {"fieldType": "JOB_TITLE", "fieldValue": person.job_title},
                        {"fieldType": "COUNTRY", "fieldValue": person.country},
                    ],
                    "customLeadFormSubmissionFields": [
                        {"questionText": q, "fieldValue": a} for q, a in customs.items()
                    ],
                }
                self.submissions.append(data)
                added.append(data)
            return added

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(self, request: LoggedRequest) -> Response:
        if request.path == "/token" and request.method == "POST":
            return self._token(request)
        match = re.fullmatch(r"/(v\d+)/customers/(\d+)/googleAds:searchStream", request.path)
        if not match or request.method != "POST":
            return _status(404, "NOT_FOUND", f"Method not found: {request.path}")
        version = match.group(1)
        if not VERSIONS.is_active(version, self.current_date()):
            # a sunset (or unknown) version: its methods no longer resolve (gRPC UNIMPLEMENTED,
            # HTTP 501; googleads/google-ads-python#897)
            return _status(501, "UNIMPLEMENTED", "GRPC target method can't be resolved.")
        if not self.has_valid_token(request):
            return _status(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                {"authenticationError": "OAUTH_TOKEN_EXPIRED"},
            )
        if request.headers.get("developer-token") != DEVELOPER_TOKEN:
            return _status(
                401,
                "UNAUTHENTICATED",
                "The developer token is not valid.",
                {"authenticationError": "DEVELOPER_TOKEN_INVALID"},
            )
        if match.group(2) != self.customer_id:
            return _status(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                {"authorizationError": "USER_PERMISSION_DENIED"},
            )
        if request.headers.get("login-customer-id") != self.login_customer_id:
            # the account is reached through a manager: without its id in login-customer-id the API
            # refuses (https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid)
            return _status(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                {"authorizationError": "USER_PERMISSION_DENIED"},
                message_detail="User doesn't have permission to access customer. Note: If you're accessing a client "
                "customer, the manager's customer id must be set in the 'login-customer-id' header. See "
                "https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid",
            )
        fault = self.faults.next_fault()
        if fault is not None:
            if fault.kind == "rate_limit":
                return _status(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "Resource has been exhausted (e.g. check quota).",
                    {"quotaError": "RESOURCE_EXHAUSTED"},
                    {
                        "quotaErrorDetails": {
                            "rateScope": "DEVELOPER",
                            "rateName": "Requests per developer per day",
                            "retryDelay": f"{fault.options.get('retry_delay', 1)}s",
                        }
                    },
                )
            if fault.kind == "transient":
                return _status(
                    503,
                    "UNAVAILABLE",
                    "The service is currently unavailable.",
                    {"internalError": "TRANSIENT_ERROR"},
                )
            return _status(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials.",
                {"authenticationError": "OAUTH_TOKEN_EXPIRED"},
            )
        try:
            query = request.json()["query"]
        except (ValueError, KeyError, TypeError):
            return _status(400, "INVALID_ARGUMENT", 'Invalid JSON payload: expected {"query": ...}')
        return self._search(query)

    def _token(self, request: LoggedRequest) -> Response:
        refused = self.refused_grant(
            request,
            bad_client="The OAuth client was not found.",
            bad_grant="Token has been expired or revoked.",
        )
        if refused:
            return refused
        token = f"ya29.sandbox-{secrets.token_hex(8)}"
        with self.lock:
            self.valid_tokens.add(token)
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/adwords",
            },
        )

    def _search(self, query: str) -> Response:
        source = (_FROM.search(query) or [None, ""])[1]
        request_id = secrets.token_urlsafe(12)
        if source == "customer":
            results = [{"customer": {"resourceName": f"customers/{self.customer_id}", "timeZone": TIME_ZONE}}]
            return Response(
                200, [{"results": results, "fieldMask": "customer.timeZone", "requestId": request_id}]
            )
        if source in ("campaign", "ad_group"):
            names = CAMPAIGNS if source == "campaign" else AD_GROUPS
            key = "campaign" if source == "campaign" else "adGroup"
            plural = "campaigns" if source == "campaign" else "adGroups"
            results = [
                {key: {"resourceName": f"customers/{self.customer_id}/{plural}/{i}", "id": i, "name": n}}
                for i, n in names.items()
                if i in query
            ]
            return Response(
                200, [{"results": results, "fieldMask": f"{key}.id,{key}.name", "requestId": request_id}]
            )
        if source != "lead_form_submission_data":
            return _status(
                400,
                "INVALID_ARGUMENT",
                f"Unsupported resource in the sandbox: {source!r}",
                {"queryError": "PROHIBITED_RESOURCE_TYPE_IN_FROM_CLAUSE"},
            )
        rows = sorted(self.submissions, key=lambda s: s["submissionDateTime"])
        for op, value in _BOUND.findall(query):
            rows = [r for r in rows if _compare(r["submissionDateTime"], op, value)]
        results = [{"leadFormSubmissionData": r} for r in rows]
        mask = ",".join(
            f"leadFormSubmissionData.{f}"
            for f in (
                "resourceName",
                "id",
                "asset",
                "campaign",
                "adGroup",
                "adGroupAd",
                "gclid",
                "submissionDateTime",
                "leadFormSubmissionFields",
                "customLeadFormSubmissionFields",
            )
        )
        batches = [
            {"results": results[i : i + BATCH_SIZE], "fieldMask": mask, "requestId": request_id}
            for i in range(0, len(results), BATCH_SIZE)
        ] or [{"fieldMask": mask, "requestId": request_id}]
        # the stream's last batch reports the query's cost (SearchGoogleAdsStreamResponse)
        batches[-1]["queryResourceConsumption"] = str(len(results) + 1)
        return Response(200, batches)


def _compare(value: str, op: str, bound: str) -> bool:
    value = value[:19]  # the bound is account-local wall time without an offset
    return {">=": value >= bound, ">": value > bound, "<=": value <= bound, "<": value < bound}[op]


def _status(
    code: int,
    status: str,
    message: str,
    error_code: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
    *,
    message_detail: str | None = None,
    version: str = "v26",
) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "status": status}}
    if error_code:
        err: dict[str, Any] = {"errorCode": error_code, "message": message_detail or message}
        if details:
            err["details"] = details
        body["error"]["details"] = [
            {
                "@type": _FAILURE.format(version=version),
                "errors": [err],
                "requestId": secrets.token_urlsafe(12),
            }
        ]
    return Response(code, body)


def start_google_ads_sandbox(port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> GoogleAdsSandbox:
    """Start a Google Ads sandbox; ``.url`` is the base_url, ``.token_url`` the OAuth endpoint."""
    return GoogleAdsSandbox(**kwargs).start(host, port)  # type: ignore[return-value]
