"""What sales teams write in an activity export -> leadsync's event types (lead.ACTIVITY_EVENT_TYPES).

Matched after `lead.header_key` folding (case, spaces and punctuation ignored): "Closed-Won",
"closed won" and "CLOSED_WON" are the same word. Unknown words are quarantined with the word.
"""

from __future__ import annotations

from typing import Final

from leadsync.ingestion.lead import ACTIVITY_EVENT_TYPES, header_key

EVENT_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "contacted": (
        "called",
        "call",
        "call made",
        "phoned",
        "dialed",
        "dialled",
        "email sent",
        "emailed",
        "sent email",
        "outreach",
        "contact",
        "connected",
        "left voicemail",
        "voicemail",
        "linkedin message",
        "inmail sent",
        "attempted contact",
        "contact attempt",
        "touch",
        "first touch",
        "sequence started",
        "cold call",
    ),
    "responded_positive": (
        "replied",
        "reply",
        "positive reply",
        "responded",
        "response",
        "interested",
        "positive response",
        "meeting booked",
        "meeting scheduled",
        "demo booked",
        "call back requested",
        "callback",
        "engaged",
    ),
    "responded_negative": (
        "not interested",
        "negative reply",
        "negative response",
        "declined",
        "unsubscribed",
        "do not contact",
        "opted out",
        "no thanks",
    ),
    "qualified": (
        "sql",
        "sales qualified",
        "sales qualified lead",
        "sal",
        "sales accepted",
        "sales accepted lead",
        "accepted",
        "qualified lead",
    ),
    "disqualified": (
        "unqualified",
        "dq",
        "dqed",
        "not qualified",
        "bad fit",
        "not a fit",
        "junk",
        "rejected",
    ),
    "opportunity": (
        "opp",
        "opp created",
        "opportunity created",
        "deal created",
        "new opportunity",
        "opportunity opened",
        "pipeline",
    ),
    "won": ("closed won", "deal won", "customer", "signed", "closed won deal"),
    "lost": ("closed lost", "deal lost", "lost deal", "no decision"),
}


def event_index() -> dict[str, str]:
    """Folded word -> event type, for every event type and synonym."""
    index: dict[str, str] = {}
    for event in ACTIVITY_EVENT_TYPES:
        for word in (event, event.replace("_", " "), *EVENT_SYNONYMS.get(event, ())):
            index.setdefault(header_key(word), event)
    return index
