"""The canonical lead: header folding and synonyms."""

from leadsync.ingestion.lead import (
    LEAD_FIELD_NAMES,
    canonical_field_for,
    header_key,
    is_record_id_header,
    raw_lead_schema,
)


def test_header_key_ignores_case_spaces_and_punctuation():
    assert header_key(" E-Mail Address ") == header_key("email_address") == "emailaddress"


def test_real_export_headers_map_to_canonical_fields():
    cases = {
        "E-mail": "email",
        "Email Address": "email",
        "Work Email": "email",
        "Company / Account": "company_name",
        "Company Name": "company_name",
        "Organization": "company_name",
        "Contact Name": "full_name",
        "Full Name": "full_name",
        "Lead Source": "channel",
        "Mobile Phone": "phone",
        "Job Title": "job_title",
        "No. of Employees": "employee_count",
    }
    assert {h: canonical_field_for(h) for h in cases} == cases
    assert canonical_field_for("Favourite colour") is None


def test_record_id_headers():
    assert all(is_record_id_header(h) for h in ("Lead ID", "Record Id", "Badge ID", "ID"))
    assert not is_record_id_header("Email")


def test_synonyms_are_unambiguous():
    """A folded synonym must name one field only, or mapping would depend on list order."""
    from leadsync.ingestion.lead import LEAD_FIELDS

    owners: dict[str, set[str]] = {}
    for f in LEAD_FIELDS:
        for s in (f.name, *f.synonyms):
            owners.setdefault(header_key(s), set()).add(f.name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_raw_schema_has_every_field_once():
    names = raw_lead_schema().names
    assert len(names) == len(set(names))
    assert set(LEAD_FIELD_NAMES) <= set(names)
