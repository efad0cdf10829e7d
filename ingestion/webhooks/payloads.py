"""Provider payloads -> the canonical lead, plus the little the receiver needs at receipt time.

At receipt the receiver only checks that a body is readable (`bodies.decode_body`) and finds its
delivery id (`delivery_id`). The mapping into lead fields (`parse_submission`) runs at load
time, over stored raw submissions, so a fix here can be replayed over history
(`reparse_source`). Values stay as sent (text); normalising happens in dbt.

Payload shapes follow the providers' documentation:
- Typeform: ``form_response.answers[]`` typed answers with ``field.ref/type``, ``hidden`` (UTMs),
  ``definition.fields[]`` titles; ``event_id``.
- HubSpot: form submissions (``fields``/``values`` lists of ``{name, value}``), contact
  ``properties`` (``{"email": {"value": ...}}`` or flat), or a list of such events.
- Tally: ``data.fields[]`` with ``label``, ``type`` (INPUT_EMAIL, MULTIPLE_CHOICE...), ``options``.
- Webflow: ``payload.data`` (label -> value), ``payload.id``, ``payload.formId``.
- Jotform: multipart/urlencoded with ``submissionID`` and ``rawRequest`` JSON (``q3_email``,
  compound ``{"first","last"}`` names, ``{"full"}`` or ``{"area","phone"}`` phones).
- Standard Webhooks / generic JSON: the source's ``field_map`` (canonical field -> JSON path),
  unmapped keys by header synonym, the rest kept as custom fields.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from leadsync.ingestion.lead import LEAD_FIELD_NAMES, canonical_field_for
from leadsync.ingestion.source_types import WebhookSource
from leadsync.ingestion.webhooks.bodies import (
    ACCEPTED_CONTENT_TYPES,
    DEFAULT_LIMITS,
    BodyLimits,
    UnreadableBody,
    content_type_accepted,
    decode_body,
)


class ParseError(Exception):
    """A readable submission that does not map to a lead; the reason is shown in quarantine."""


def json_path(value: Any, path: str) -> Any:
    """Follow a dotted path ("data.contact.email", list indexes as numbers); None when absent."""
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def body_hash(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def delivery_id(source: WebhookSource, headers: dict[str, str], decoded: Any, body: bytes) -> str:
    """The provider's own event/submission id (re-deliveries share it), else a hash of the body."""
    found: Any = None
    p = source.provider
    if p == "standard":
        found = headers.get("webhook-id")
        if not found and source.id_field:
            found = json_path(decoded, source.id_field)
    elif p == "generic":
        found = json_path(decoded, source.id_field) if source.id_field else None
    elif isinstance(decoded, dict):
        if p == "typeform":
            found = decoded.get("event_id") or json_path(decoded, "form_response.token")
        elif p == "tally":
            found = decoded.get("eventId") or json_path(decoded, "data.submissionId")
        elif p == "webflow":
            found = json_path(decoded, "payload.id") or decoded.get("id")
        elif p == "jotform":
            found = decoded.get("submissionID")
        elif p == "hubspot":
            found = (
                decoded.get("conversionId")
                or decoded.get("submissionId")
                or decoded.get("eventId")
                or decoded.get("objectId")
                or decoded.get("vid")
            )
    elif isinstance(decoded, list) and p == "hubspot":
        ids = [str(e.get("eventId")) for e in decoded if isinstance(e, dict) and e.get("eventId")]
        found = ",".join(ids) if ids and len(ids) == len(decoded) else None
    if found in (None, ""):
        return body_hash(body)
    did = str(found)[:300]
    if not did.isprintable():
        # control characters or half a surrogate pair (category Cs) cannot be stored or answered as an id
        return body_hash(body)
    return did


# ---------------------------------------------------------------------------------------------
# Load time: submission -> lead dicts
# ---------------------------------------------------------------------------------------------
def text(value: Any) -> str | None:
    """A value as sent, as text: lists joined, booleans lower-case, whole floats without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        parts = [t for t in (text(v) for v in value) if t]
        return ", ".join(parts) or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value).strip() or None


class LeadBuilder:
    """Collects one lead: canonical fields first come first served, everything else custom.

    Parsers set the provider's own metadata (form id, submission time) before the answers, so a
    question labelled "Date" or "Form" lands in `custom_fields` instead of taking their place.
    """

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.custom: dict[str, Any] = {}

    def set(self, name: str, value: Any) -> None:
        t = text(value)
        if t is not None and name in LEAD_FIELD_NAMES and name not in self.fields:
            self.fields[name] = t

    def put(self, label: str, value: Any, field: str | None = None) -> None:
        """Place a labelled value: an explicit canonical field, else by synonym, else custom."""
        t = text(value)
        if t is None:
            return
        target = field or canonical_field_for(label)
        if target and target not in self.fields:
            self.fields[target] = t
        else:
            self.custom[label] = value if isinstance(value, (str, int, float, bool)) else t

    def result(self) -> dict[str, Any]:
        return {**self.fields, "custom_fields": self.custom}


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _ms_to_iso(value: Any) -> str | None:
    try:
        return datetime.fromtimestamp(float(value) / 1000, UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return text(value)


def _require_dict(decoded: Any, what: str) -> dict[str, Any]:
    if not isinstance(decoded, dict):
        raise ParseError(f"expected a JSON object with {what}, got {type(decoded).__name__}")
    return decoded


_TYPEFORM_FIELD_BY_TYPE = {"email": "email", "phone_number": "phone", "website": "website"}


def _typeform_value(answer: dict[str, Any]) -> Any:
    kind = answer.get("type")
    if kind == "choice":
        c = answer.get("choice") or {}
        return c.get("label") or c.get("other")
    if kind == "choices":
        c = answer.get("choices") or {}
        return [*(c.get("labels") or []), *([c["other"]] if c.get("other") else [])]
    if kind == "payment":
        return answer.get("payment")
    return answer.get(kind) if kind else None


_QUESTION_LEAD_IN = re.compile(
    r"^\s*(?:what\s+is|what's|whats|please\s+(?:enter|give\s+us|tell\s+us)|enter|tell\s+us)\s+"
    r"(?:your|the)\s+|^\s*your\s+",
    re.IGNORECASE,
)


def question_subject(title: str) -> str:
    """What a question asks for: 'What is your first name?' -> 'first name' (for synonym lookup)."""
    return _QUESTION_LEAD_IN.sub("", title).strip().rstrip("?:.!").strip()


def parse_typeform(decoded: Any, source: WebhookSource) -> list[dict[str, Any]]:
    fr = _require_dict(decoded, "form_response").get("form_response")
    if not isinstance(fr, dict):
        raise ParseError("Typeform payload has no form_response object")
    answers = fr.get("answers")
    if not isinstance(answers, list):
        raise ParseError("Typeform form_response has no answers list")
    defined = [f for f in (fr.get("definition") or {}).get("fields") or [] if isinstance(f, dict)]
    titles = {f.get("id"): f.get("title") for f in defined}
    # Typeform's documented example payload carries `ref` only in the definition, not on the answer.
    refs = {f.get("id"): f.get("ref") for f in defined}
    lead = LeadBuilder()
    lead.set("form_id", fr.get("form_id"))
    lead.set("submitted_at", fr.get("submitted_at"))
    for a in answers:
        if not isinstance(a, dict):
            continue
        fld = a.get("field") or {}
        ref = fld.get("ref") or refs.get(fld.get("id"))
        title = titles.get(fld.get("id"))
        label = ref or title or fld.get("id") or "answer"
        hint = _TYPEFORM_FIELD_BY_TYPE.get(fld.get("type")) or _TYPEFORM_FIELD_BY_TYPE.get(a.get("type"))
        if not hint and not canonical_field_for(str(label)) and title:
            hint = canonical_field_for(title) or canonical_field_for(question_subject(title))
        lead.put(str(label), _typeform_value(a), hint)
    for key, value in (fr.get("hidden") or {}).items():
        lead.put(str(key), value)
    return [lead.result()]


def _hubspot_one(event: dict[str, Any]) -> dict[str, Any]:
    lead = LeadBuilder()
    pairs: list[tuple[str, Any]] = []
    for key in ("fields", "values"):
        if isinstance(event.get(key), list):
            pairs += [(str(f.get("name")), f.get("value")) for f in event[key] if isinstance(f, dict)]
    props = event.get("properties")
    if isinstance(props, dict):
        for k, v in props.items():
            pairs.append((str(k), v.get("value") if isinstance(v, dict) else v))
    if not pairs:
        kind = event.get("subscriptionType") or event.get("eventType") or "event"
        raise ParseError(f"HubSpot {kind} carries no form values (no fields, values or properties)")
    lead.set("form_id", event.get("formId") or event.get("formGuid"))
    lead.set("submitted_at", _ms_to_iso(event["submittedAt"]) if event.get("submittedAt") else None)
    for name, value in pairs:
        field = {
            "firstname": "first_name",
            "lastname": "last_name",
            "mobilephone": "phone",
            "jobtitle": "job_title",
            "numemployees": "employee_count",
            "company": "company_name",
            "hs_analytics_source": "channel",
        }.get(name.lower())
        lead.put(name, value, field)
    ctx = event.get("context") or {}
    if isinstance(ctx, dict) and ctx.get("pageUri"):
        lead.custom["page_uri"] = ctx["pageUri"]
    return lead.result()


def parse_hubspot(decoded: Any, source: WebhookSource) -> list[dict[str, Any]]:
    events = decoded if isinstance(decoded, list) else [_require_dict(decoded, "form values")]
    if not events:
        raise ParseError("HubSpot sent an empty list of events")
    return [_hubspot_one(_require_dict(e, "form values")) for e in events]


_TALLY_FIELD_BY_TYPE = {"INPUT_EMAIL": "email", "INPUT_PHONE_NUMBER": "phone", "INPUT_LINK": "website"}


def parse_tally(decoded: Any, source: WebhookSource) -> list[dict[str, Any]]:
    data = _require_dict(decoded, "data.fields").get("data")
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise ParseError("Tally payload has no data.fields list")
    lead = LeadBuilder()
    lead.set("form_id", data.get("formId"))
    lead.set("submitted_at", data.get("createdAt") or decoded.get("createdAt"))
    for f in data["fields"]:
        if not isinstance(f, dict):
            continue
        value = f.get("value")
        options = {o.get("id"): o.get("text") for o in f.get("options") or [] if isinstance(o, dict)}
        if options:
            ids = value if isinstance(value, list) else [value]
            value = [options.get(v, v) for v in ids if v is not None]
        lead.put(
            str(f.get("label") or f.get("key") or "field"), value, _TALLY_FIELD_BY_TYPE.get(f.get("type"))
        )
    if data.get("formName"):
        lead.custom.setdefault("form_name", data["formName"])
    return [lead.result()]


def parse_webflow(decoded: Any, source: WebhookSource) -> list[dict[str, Any]]:
    payload = _require_dict(decoded, "payload.data").get("payload", decoded)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise ParseError("Webflow payload has no payload.data object")
    lead = LeadBuilder()
    lead.set("form_id", payload.get("formId"))
    lead.set("submitted_at", payload.get("submittedAt"))
    for label, value in payload["data"].items():
        lead.put(str(label), value)
    if payload.get("name"):
        lead.custom.setdefault("form_name", payload["name"])
    return [lead.result()]


_JOTFORM_SKIP = {
    "slug",
    "event_id",
    "timeToSubmit",
    "jsExecutionTracker",
    "submitSource",
    "buildDate",
    "validatedNewRequiredFieldIDs",
    "path",
    "uploadServerUrl",
    "submitDate",
}
_JOTFORM_KEY = re.compile(r"^q\d+_")


def _jotform_label(key: str) -> str:
    return _CAMEL.sub(" ", _JOTFORM_KEY.sub("", key)).replace("_", " ").strip()


def parse_jotform(decoded: Any, source: WebhookSource) -> list[dict[str, Any]]:
    form = _require_dict(decoded, "rawRequest")
    raw = form.get("rawRequest")
    if raw is None:
        raise ParseError("Jotform submission has no rawRequest field")
    try:
        fields = json.loads(raw)
    except ValueError:
        raise ParseError("Jotform rawRequest is not valid JSON") from None
    if not isinstance(fields, dict):
        raise ParseError("Jotform rawRequest is not a JSON object")
    lead = LeadBuilder()
    lead.set("form_id", form.get("formID"))
    for key, value in fields.items():
        if key in _JOTFORM_SKIP:
            continue
        label = _jotform_label(key)
        if isinstance(value, dict):
            if {"first", "last"} & value.keys():
                lead.put(label + " first", value.get("first"), "first_name")
                lead.put(label + " last", value.get("last"), "last_name")
                continue
            if "full" in value or "phone" in value:
                phone = value.get("full") or " ".join(
                    str(value[k]) for k in ("country", "area", "phone") if value.get(k)
                )
                lead.put(label, phone, "phone")
                continue
            if {"city", "state", "country", "addr_line1", "postal"} & value.keys():
                for part, fld in (("city", "city"), ("state", "state"), ("country", "country")):
                    lead.put(f"{label} {part}", value.get(part), fld)
                for part in ("addr_line1", "addr_line2", "postal"):
                    if value.get(part):
                        lead.custom[f"{label} {part}"] = value[part]
                continue
        lead.put(label, value)
    if form.get("formTitle"):
        lead.custom.setdefault("form_name", form["formTitle"])
    return [lead.result()]


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects -> {"a.b.c": leaf}."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def parse_mapped_json(decoded: Any, source: WebhookSource) -> list[dict[str, Any]]:
    """Standard Webhooks / generic: the configured field_map first, then synonyms, then custom."""
    obj = _require_dict(decoded, "lead fields")
    lead = LeadBuilder()
    used: set[str] = set()
    for field, path in source.field_map.items():
        lead.set(field, json_path(obj, path))
        used.add(path)
    if source.id_field:
        used.add(source.id_field)
    root = obj.get("data") if isinstance(obj.get("data"), dict) and not source.field_map else obj
    for path, value in _flatten(root).items():
        full = path if root is obj else f"data.{path}"
        if full in used:
            continue
        # "company.name" names the company, "contact.first_name" a first name: whole path first
        lead.put(path, value, canonical_field_for(path) or canonical_field_for(path.rsplit(".", 1)[-1]))
    return [lead.result()]


PARSERS = {
    "typeform": parse_typeform,
    "hubspot": parse_hubspot,
    "tally": parse_tally,
    "webflow": parse_webflow,
    "jotform": parse_jotform,
    "standard": parse_mapped_json,
    "generic": parse_mapped_json,
}


def _has_lone_surrogate(value: Any) -> bool:
    """True when a decoded JSON string holds half a UTF-16 pair (e.g. the escape \\ud800 alone).

    RFC 8259 section 8.2 lets such strings parse, but they are not Unicode text: they cannot be
    written as UTF-8 into the warehouse, so the submission is quarantined rather than lost.
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def parse_submission(
    source: WebhookSource, content_type: str | None, body: bytes, limits: BodyLimits = DEFAULT_LIMITS
) -> list[dict[str, Any]]:
    """One stored submission -> lead dicts (canonical fields + `custom_fields` dict).

    Decodes under the same `limits` as the receiver did. Raises UnreadableBody or ParseError
    with a plain-words reason for the quarantine table.
    """
    decoded = decode_body(content_type, body, limits)
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(decoded):
        raise ParseError("a JSON string holds a lone surrogate escape (half a UTF-16 pair): not Unicode text")
    leads = PARSERS[source.provider](decoded, source)
    if not leads:
        raise ParseError("the submission holds no lead")
    return leads


__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "BodyLimits",
    "ParseError",
    "UnreadableBody",
    "body_hash",
    "content_type_accepted",
    "decode_body",
    "delivery_id",
    "parse_submission",
]
