"""Salesforce: OAuth (refresh token, JWT bearer), reading error arrays, SOQL paging, Bulk API 2.0
CSV results, and turning records into people rows and evidence rows."""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import requests

from leadsync.ingestion.ad_platforms.common import (
    HTTP_TIMEOUT_SECONDS,
    AuthExpiredError,
    FieldSink,
    PlatformError,
    RecordContext,
    RetryingSession,
    Verdict,
    lead_row,
    quarantine_row,
)
from leadsync.ingestion.crm.common import RECORD_ERRORS, ModifiedCursor, event_row, parse_crm_time
from leadsync.ingestion.crm.salesforce import settings

log = logging.getLogger(__name__)


def version_status(version: str) -> tuple[str, str] | None:
    """(status, advice) when ``version`` is retired or about to be; None when it is current."""
    number = float(version)
    for first, last, status, advice in settings.VERSION_LIFECYCLE:
        if first <= number <= last:
            return status, f"Salesforce API {version} is {advice}"
    return None


def _first_error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", f"HTTP {response.status_code}"
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode") or ""), str(body[0].get("message") or "")
    return "", f"HTTP {response.status_code}"


def classify(response: requests.Response) -> Verdict:
    """Salesforce's answers; logs Sforce-Limit-Info so the org's API usage is visible in every run."""
    usage = response.headers.get("Sforce-Limit-Info")
    if usage:
        log.info("Salesforce %s", usage)
    if response.status_code < 400:
        return Verdict.ok()
    code, message = _first_error(response)
    if response.status_code == 401 or code == "INVALID_SESSION_ID":
        return Verdict("reauth", f"{code}: {message}")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return Verdict(
            "fail",
            f"the org's daily API request limit is used up ({message}); nothing was loaded "
            "and the next sync resumes from the last committed position",
        )
    if response.status_code == 410:
        return Verdict(
            "fail", f"the API version is retired (410 GONE: {message}); set api_version to a current one"
        )
    if response.status_code >= 500 or code in ("SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"):
        return Verdict("retry", f"Salesforce answered HTTP {response.status_code} {code}")
    return Verdict("fail", f"Salesforce refused the request (HTTP {response.status_code} {code}): {message}")


class SalesforceAuth(requests.auth.AuthBase):
    """An access token from the refresh-token or JWT bearer grant; remembers ``instance_url``."""

    def __init__(self, login_url: str, grant: dict[str, str], label: str, secret_hint: str) -> None:
        self.login_url = login_url.rstrip("/")
        self.grant = grant
        self.label = label
        self.secret_hint = secret_hint
        self.token = ""
        self.instance_url = ""

    @classmethod
    def jwt_grant(cls, login_url: str, client_id: str, username: str, private_key: str) -> dict[str, str]:
        import jwt  # pyjwt[crypto]: only the JWT flow needs it

        claims = {
            "iss": client_id,
            "sub": username,
            "aud": login_url.rstrip("/"),
            "exp": int(time.time()) + 180,
        }
        return {
            "grant_type": settings.JWT_GRANT,
            "assertion": jwt.encode(claims, private_key, algorithm="RS256"),
        }

    def refresh(self) -> str:
        try:
            response = requests.post(
                self.login_url + settings.TOKEN_PATH, data=self.grant, timeout=HTTP_TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise PlatformError(
                f"{self.label}: cannot reach {self.login_url} ({exc.__class__.__name__})"
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("access_token"):
            detail = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
            raise AuthExpiredError(
                f"{self.label}: Salesforce refused the login ({detail}). {self.secret_hint} "
                "Nothing was loaded."
            )
        self.token, self.instance_url = body["access_token"], body.get("instance_url", "")
        return self.token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if not self.token:
            self.refresh()
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def soql(
    obj: str, fields: tuple[str, ...], modified: str, since: datetime | None, ordered: bool = True
) -> str:
    """``>=`` on the modification time (the cursor drops the ids it already has at that instant),
    ordered by time then Id so ties always come back in the same order."""
    where = [f"{modified} >= {since.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z"] if since else []
    if obj in settings.EXTRA_WHERE:
        where.append(settings.EXTRA_WHERE[obj])
    text = f"SELECT {', '.join(fields)} FROM {obj}"
    if where:
        text += " WHERE " + " AND ".join(where)
    return text + (f" ORDER BY {modified}, Id" if ordered else "")


def query_all(session: RetryingSession, data_url: str, text: str) -> Iterator[list[dict[str, Any]]]:
    """Pages of a SOQL queryAll (deleted and merged rows included), following nextRecordsUrl."""
    answer = session.get(data_url + "/queryAll", params={"q": text}).json()
    while True:
        yield answer.get("records") or []
        if answer.get("done", True) or not answer.get("nextRecordsUrl"):
            return
        answer = session.get(data_url.split("/services/")[0] + answer["nextRecordsUrl"]).json()


def count(session: RetryingSession, data_url: str, obj: str) -> int:
    return int(
        session.get(data_url + "/queryAll", params={"q": f"SELECT COUNT() FROM {obj}"}).json()["totalSize"]
    )


def bulk_query(
    session: RetryingSession, data_url: str, text: str, sleep=time.sleep
) -> Iterator[list[dict[str, Any]]]:
    """A Bulk API 2.0 queryAll job: create, poll until JobComplete, read CSV pages by Sforce-Locator."""
    job = session.post(data_url + "/jobs/query", json={"operation": "queryAll", "query": text}).json()
    job_url = f"{data_url}/jobs/query/{job['id']}"
    while True:
        state = session.get(job_url).json().get("state")
        if state == "JobComplete":
            break
        if state in ("Failed", "Aborted"):
            raise PlatformError(f"Salesforce bulk query job {job['id']} ended {state}")
        sleep(settings.BULK_POLL_SECONDS)
    locator: str | None = None
    while True:
        params: dict[str, Any] = {"maxRecords": settings.BULK_PAGE}
        if locator:
            params["locator"] = locator
        response = session.get(job_url + "/results", params=params)
        yield [_from_csv(row) for row in csv.DictReader(io.StringIO(response.text))]
        locator = response.headers.get("Sforce-Locator")
        if not locator or locator == "null":
            return


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the REST JSON shape: empty -> null, true/false -> bool, Rel.Field -> nested."""
    out: dict[str, Any] = {}
    for key, text in row.items():
        value: Any = None if text == "" else {"true": True, "false": False}.get(text, text)
        if "." in key:
            rel, name = key.split(".", 1)
            out[rel] = None if value is None else {**(out.get(rel) or {}), name: value}
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# Records -> rows
# ---------------------------------------------------------------------------------------------
def parse_record(
    ctx: RecordContext, obj: str, rec: dict[str, Any], now: datetime
) -> tuple[dict | None, list[dict]]:
    """One SOQL record -> (a people row for Lead/Contact, evidence rows). ValueError when unreadable."""
    if not isinstance(rec, dict) or not rec.get("Id"):
        raise ValueError("the record has no Id")
    rid = str(rec["Id"])
    created = parse_crm_time(rec.get("CreatedDate"))
    if created is None:
        raise ValueError(f"CreatedDate {rec.get('CreatedDate')!r} is missing")
    modified = parse_crm_time(rec.get("SystemModstamp")) or created
    loc = f"salesforce {obj}"
    ev: list[dict[str, Any]] = []

    def add(kind: str, at: datetime | None, **kw: Any) -> None:
        ev.append(
            event_row(
                ctx.source_name,
                object_type=obj,
                object_id=rid,
                kind=kind,
                occurred_at=at,
                location=loc,
                received_at=now,
                **kw,
            )
        )

    if rec.get("IsDeleted"):
        master = rec.get("MasterRecordId")
        add(
            "merged" if master else "deleted",
            modified,
            person=rid if obj in settings.PEOPLE else None,
            related=master,
            event_id=f"{obj}|{rid}|{'merged' if master else 'deleted'}|{modified.isoformat()}",
        )
    person_row = None
    if obj in settings.PEOPLE:
        sink = FieldSink(settings.FIELD_MAP)
        for key, value in rec.items():
            if key == "attributes":
                continue
            if key == "Account":
                sink.put("company", (value or {}).get("Name") if isinstance(value, dict) else None)
            elif key in settings.CUSTOM_ONLY:
                sink.extra(key, value)
            else:
                sink.put(key, value)
        sink.extra("object_type", obj)
        sink.set("channel", rec.get("LeadSource"))
        person_row = lead_row(ctx, record_id=rid, received_at=created, is_test=False, location=loc, sink=sink)
        if obj == "Lead":
            add(
                "created",
                created,
                person=rid,
                field_name="Status",
                value=rec.get("Status"),
                event_id=f"Lead|{rid}|created",
            )
            if rec.get("IsConverted") and rec.get("ConvertedContactId"):
                add(
                    "converted",
                    parse_crm_time(rec.get("ConvertedDate")) or modified,
                    person=rid,
                    related=str(rec["ConvertedContactId"]),
                    custom={"ConvertedOpportunityId": rec.get("ConvertedOpportunityId")},
                    event_id=f"Lead|{rid}|converted",
                )
    elif obj == "LeadHistory":
        add(
            "status",
            created,
            person=str(rec.get("LeadId") or ""),
            field_name="Status",
            value=rec.get("NewValue"),
            custom={"OldValue": rec.get("OldValue")},
            event_id=f"LeadHistory|{rid}",
        )
    elif obj == "Opportunity":
        add(
            "created",
            created,
            field_name="Opportunity",
            value="created",
            event_id=f"Opportunity|{rid}|created",
        )
        if rec.get("IsClosed"):
            add(
                "status",
                parse_crm_time(rec.get("CloseDate")) or modified,
                field_name="StageName",
                value=rec.get("StageName"),
                custom={"IsWon": rec.get("IsWon"), "IsClosed": True},
                event_id=f"Opportunity|{rid}|closed",
            )
    elif obj == "OpportunityContactRole":
        add(
            "association",
            created,
            person=str(rec.get("ContactId") or ""),
            related=str(rec.get("OpportunityId")),
            custom={"Role": rec.get("Role"), "IsPrimary": rec.get("IsPrimary")},
            event_id=f"OCR|{rid}",
        )
    elif obj in ("Task", "Event"):
        at = parse_crm_time(rec.get("CompletedDateTime") or rec.get("StartDateTime")) or created
        kind = rec.get("TaskSubtype") or rec.get("EventSubtype") or rec.get("Type") or obj
        add(
            "activity",
            at,
            person=str(rec.get("WhoId") or "") or None,
            field_name=obj,
            value=kind,
            custom={"Subject": rec.get("Subject"), "Type": rec.get("Type"), "Status": rec.get("Status")},
            event_id=f"{obj}|{rid}",
        )
    return person_row, ev


def load_object(
    session: RetryingSession,
    data_url: str,
    obj: str,
    fields: tuple[str, ...],
    modified: str,
    cursor: ModifiedCursor,
    bulk_threshold: int,
    sleep=time.sleep,
) -> Iterator[list[dict[str, Any]]]:
    """Pages of records new to the cursor: Bulk API 2.0 for a first load above the threshold, else
    REST queryAll filtered with ``>=`` and ids at the boundary dropped."""
    if cursor.is_first_load and cursor.last is None and count(session, data_url, obj) > bulk_threshold:
        for page in bulk_query(session, data_url, soql(obj, fields, modified, None, ordered=False), sleep):
            for rec in page:
                at = parse_crm_time(rec.get(modified))
                if at is not None:
                    cursor.advance(str(rec.get("Id")), at)
            yield page
        return
    for page in query_all(session, data_url, soql(obj, fields, modified, cursor.last)):
        fresh = []
        for rec in page:
            try:
                at = parse_crm_time(rec.get(modified))
            except ValueError:
                at = None
            if at is not None:
                if cursor.already_loaded(str(rec.get("Id")), at):
                    continue
                cursor.advance(str(rec.get("Id")), at)
            fresh.append(rec)
        if fresh:
            yield fresh


def read_page(
    ctx: RecordContext, obj: str, page: list[Any], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of SOQL records -> (people rows, evidence, quarantine rows): an unreadable
    record is quarantined with its reason and never takes the page's other records down."""
    rows, events, bad = [], [], []
    for rec in page:
        try:
            person, evidence = parse_record(ctx, obj, rec, now)
        except RECORD_ERRORS as exc:
            bad.append(quarantined(ctx, obj, rec, exc))
            continue
        if person is not None:
            rows.append(person)
        events.extend(evidence)
    return rows, events, bad


def quarantined(ctx: RecordContext, obj: str, rec: Any, exc: Exception) -> dict[str, Any]:
    rid = rec.get("Id") if isinstance(rec, dict) else None
    return quarantine_row(
        ctx,
        location=f"salesforce {obj}",
        reason=f"unreadable Salesforce {obj}: {exc}",
        raw=rec,
        record_id=str(rid) if rid else None,
    )


__all__ = [
    "classify",
    "SalesforceAuth",
    "soql",
    "query_all",
    "bulk_query",
    "parse_record",
    "load_object",
    "version_status",
    "UTC",
]
