"""LinkedIn Lead Sync: Rest.li 2.0 query encoding, auth, error reading and answer resolution."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from leadsync.ingestion.ad_platforms import lifecycle
from leadsync.ingestion.ad_platforms.common import (
    FieldSink,
    RecordContext,
    Verdict,
    json_body,
    lead_row,
    parse_records,
)
from leadsync.ingestion.ad_platforms.linkedin import settings


def restli_urn(urn: str) -> str:
    """A URN as a Rest.li 2.0 value inside parentheses: reserved characters percent-encoded."""
    return quote(urn, safe="")


def responses_query(account_id: str, since: datetime | None, until: datetime) -> str:
    """The leadFormResponses finder query, already Rest.li-encoded (requests must not re-encode it).

    ``(`` ``)`` ``,`` and ``:`` of the Rest.li structure stay literal; the URN inside is encoded.
    """
    owner = restli_urn(f"urn:li:sponsoredAccount:{account_id}")
    start_ms = int(since.timestamp() * 1000) if since else 0
    end_ms = int(until.timestamp() * 1000)
    return (
        f"q=owner&owner=(sponsoredAccount:{owner})&leadType=(leadType:{settings.LEAD_TYPE})"
        f"&limitedToTestLeads=false&submittedAtTimeRange=(start:{start_ms},end:{end_ms})"
        f"&fields={settings.RESPONSE_FIELDS}"
    )


def next_midnight_utc(now: datetime | None = None) -> datetime:
    """When LinkedIn's daily application and member quotas reset."""
    now = now or datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def classify(response: requests.Response) -> Verdict:
    if response.status_code < 400:
        return Verdict.ok()
    body = json_body(response)
    message = body.get("message") or f"HTTP {response.status_code}"
    if response.status_code == 401:
        return Verdict("reauth", f"HTTP 401 {body.get('code') or ''}: {message}".strip())
    if response.status_code == 429:
        # LinkedIn's limits are daily application/member quotas reset at midnight UTC and its 429s
        # carry no Retry-After (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits):
        # waiting minutes cannot help, so the source stops with nothing lost.
        retry_after = response.headers.get("Retry-After")
        if retry_after and retry_after.isdigit():
            return Verdict("retry", f"rate limited (HTTP 429): {message}", float(retry_after))
        resume = next_midnight_utc()
        return Verdict(
            "stop",
            f"LinkedIn's daily API quota is used up (HTTP 429: {message}); the source stopped with nothing "
            f"lost and resumes from its last loaded lead after the quota resets at {resume:%Y-%m-%d %H:%M} UTC",
        )
    if response.status_code >= 500:
        return Verdict("retry", f"transient error HTTP {response.status_code}: {message}")
    if response.status_code == 426 and body.get("code") == "NONEXISTENT_VERSION":
        # The live API's body (quoted in tests/ingestion/ad_platforms/contracts/documented/): a
        # version leadsync's table still lists as active, or a pin the table does not know.
        sent = response.request.headers.get("LinkedIn-Version") if response.request is not None else None
        return Verdict(
            "fail",
            f"LinkedIn does not serve API version {sent or '(unknown)'} (HTTP 426 NONEXISTENT_VERSION: "
            f"{message}); remove `linkedin_version` to use the newest version in leadsync's table, or pin "
            f"an active one ({lifecycle.version_table(settings.VERSIONS_DIR).schedule_url})",
        )
    return Verdict("fail", f"LinkedIn refused the request (HTTP {response.status_code}): {message}")


def urn_id(urn: Any) -> str | None:
    """'urn:li:sponsoredCampaign:330001' -> '330001'."""
    return str(urn).rsplit(":", 1)[-1] if urn else None


def form_id_of(versioned_urn: str) -> str:
    """'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:6543210,3)' -> '6543210'."""
    inner = versioned_urn.split("(", 1)[1].rstrip(")")
    return inner.split(",", 1)[0].rsplit(":", 1)[-1]


@dataclass
class Question:
    key: str  # predefinedField, else the question's name
    options: dict[int, str] = field(default_factory=dict)


class FormCatalog:
    """Form definitions (fetched once per form per run; again when an unknown question shows up)."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._forms: dict[str, dict[int, Question]] = {}

    def question(
        self, form_id: str, question_id: int, inline: dict[str, Any] | None = None
    ) -> Question | None:
        """The question, from the form projected into the response when present, else fetched."""
        if isinstance(inline, dict) and inline.get("content"):
            found = _questions(inline).get(question_id)
            if found is not None:
                return found
        questions = self._forms.get(form_id)
        if questions is None or question_id not in questions:
            questions = self._forms[form_id] = _questions(self._fetch(form_id))
        return questions.get(question_id)


def _questions(form: dict[str, Any]) -> dict[int, Question]:
    out = {}
    for q in (form.get("content") or {}).get("questions") or []:
        details = (q.get("questionDetails") or {}).get("multipleChoiceQuestionDetails") or {}
        options = {o["id"]: _localized(o.get("text")) for o in details.get("options") or []}
        key = (
            q.get("predefinedField")
            or q.get("name")
            or _localized(q.get("question"))
            or f"question_{q['questionId']}"
        )
        out[int(q["questionId"])] = Question(str(key), options)
    return out


def _localized(text: Any) -> str:
    if isinstance(text, dict):
        localized = text.get("localized") or {}
        return str(next(iter(localized.values()), "")) if localized else ""
    return str(text or "")


def _answer_value(details: dict[str, Any], question: Question | None) -> Any:
    if "textQuestionAnswer" in details:
        return details["textQuestionAnswer"].get("answer")
    if "multipleChoiceAnswer" in details:
        chosen = details["multipleChoiceAnswer"].get("options") or []
        labels = [question.options.get(o, str(o)) if question else str(o) for o in chosen]
        return labels[0] if len(labels) == 1 else labels
    raise ValueError(f"unknown answer type {sorted(details)}")


def parse_responses(
    ctx: RecordContext, account_id: str, elements: list[dict[str, Any]], catalog: FormCatalog
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of leadFormResponses -> (canonical rows, quarantine rows)."""
    location = f"linkedin account {account_id}"

    def parse_one(element: dict[str, Any], record_id: str) -> dict[str, Any]:
        return _response_row(ctx, account_id, element, record_id, catalog, location)

    return parse_records(
        ctx,
        elements,
        location=location,
        platform="LinkedIn",
        record_id=lambda element: element.get("id"),
        parse_one=parse_one,
    )


def _response_row(
    ctx: RecordContext,
    account_id: str,
    element: dict[str, Any],
    record_id: str,
    catalog: FormCatalog,
    location: str,
) -> dict[str, Any]:
    submitted = element.get("submittedAt")
    if not isinstance(submitted, int) or isinstance(submitted, bool):
        raise ValueError(f"submittedAt {submitted!r} is not epoch milliseconds")
    try:
        received = datetime.fromtimestamp(submitted / 1000, UTC)
    except (OverflowError, OSError, ValueError):  # beyond what a datetime holds
        raise ValueError(f"submittedAt {submitted!r} is out of range for a date") from None
    form_urn = element.get("versionedLeadGenFormUrn") or ""
    form_id = form_id_of(form_urn) if "(" in form_urn else urn_id(element.get("leadGenFormUrn"))
    if not form_id:
        raise ValueError("the response names no lead form")
    predefined = {k.lower(): v for k, v in settings.PREDEFINED_FIELDS.items() if v}
    sink = FieldSink(predefined)
    for answer in (element.get("formResponse") or {}).get("answers") or []:
        qid = int(answer["questionId"])
        question = catalog.question(form_id, qid, element.get("form"))
        key = question.key if question else f"question_{qid}"
        sink.put(key, _answer_value(answer.get("answerDetails") or {}, question))
    consents = (element.get("formResponse") or {}).get("consentResponses") or []
    if consents:
        sink.set("consent", "yes" if all(c.get("accepted") for c in consents) else "no")
    sponsored = (element.get("leadMetadata") or {}).get("sponsoredLeadMetadata") or {}
    sink.set("campaign_id", urn_id(sponsored.get("campaign")))
    sink.set("ad_id", urn_id((element.get("associatedEntity") or {}).get("associatedCreative")))
    sink.set("form_id", form_id)
    sink.set("channel", settings.CHANNEL)
    sink.extra("lead_type", element.get("leadType"))
    sink.extra("form_urn", form_urn or None)
    sink.extra("sponsored_account", account_id)
    return lead_row(
        ctx,
        record_id=record_id,
        received_at=received,
        is_test=bool(element.get("testLead")),
        location=location,
        sink=sink,
    )
