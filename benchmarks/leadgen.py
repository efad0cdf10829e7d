"""Labelled messy leads: a generator of raw lead records whose true person is known.

Used by the identity-resolution accuracy benchmark (`benchmarks/identity.py`), by tests, and by
the other benchmarks that need realistic volume. Every record has the columns of
`ingestion.lead.raw_lead_schema()` (text as a source would send it), and a label saying which
person it really is, so pairwise precision and recall can be measured.

The noise is what lead exports really contain:
- case and spacing ("  JOHN  smith", "Acme, INC."), names in one field ("Smith, John");
- phone formats ("+1 (415) 555-0134", "415.555.0134", "0044 20 7946 0321"), missing phones;
- a company switchboard shared by colleagues instead of a direct line;
- nicknames (Bob for Robert), one-character typos, first and last name transposed;
- missing or personal (gmail) emails instead of the work address, role mailboxes (info@);
- same-name strangers (John Smith at two companies) and colleagues at one company.

`generate(..., hard=True)` adds what the issue-16 benchmark asks for (`HARD` below): typos in the
email local part and domain, more records without email, swapped *and* misspelt names, missing
first names, initials ("J. Smith"), cities (sometimes misspelt), common names shared by strangers
in the same city (the precision trap), and job changers.

Job changers: a person who moved to another company is the SAME person (one `person_id`): that
is what sales means by a lead, and the truth must not depend on what a linker can see. Their
records after the move carry the new company, its domain and switchboard, and keep the direct
phone (a mobile) and the personal email, so a linker can only find them through those.

Deterministic for a given seed. Pure Python, no product imports besides the canonical schema.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from leadsync.ingestion.lead import raw_lead_schema

# formal name -> nicknames people actually use (a subset of transform/seeds/nicknames.csv, so
# the benchmark measures the seed, not a copy of it)
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "robert": ("bob", "rob", "bobby"),
    "william": ("bill", "will", "billy"),
    "elizabeth": ("liz", "beth", "betty"),
    "katherine": ("kate", "kathy", "katie"),
    "james": ("jim", "jimmy"),
    "michael": ("mike", "mick"),
    "richard": ("rick", "dick", "rich"),
    "thomas": ("tom", "tommy"),
    "jennifer": ("jen", "jenny"),
    "margaret": ("maggie", "peggy", "meg"),
    "joseph": ("joe", "joey"),
    "charles": ("charlie", "chuck"),
    "christopher": ("chris",),
    "daniel": ("dan", "danny"),
    "matthew": ("matt",),
    "anthony": ("tony",),
    "patricia": ("pat", "trish"),
    "edward": ("ed", "ted", "eddie"),
    "samantha": ("sam",),
    "alexander": ("alex",),
    "jonathan": ("jon",),
    "nicholas": ("nick",),
    "benjamin": ("ben",),
    "rebecca": ("becky",),
    "susan": ("sue",),
    "deborah": ("deb", "debbie"),
    "stephanie": ("steph",),
    "timothy": ("tim",),
    "andrew": ("andy", "drew"),
    "david": ("dave",),
    "steven": ("steve",),
    "jessica": ("jess",),
    "victoria": ("vicky",),
    "gregory": ("greg",),
    "kenneth": ("ken",),
    "ronald": ("ron",),
    "donald": ("don",),
    "lawrence": ("larry",),
    "raymond": ("ray",),
    "peter": ("pete",),
    "sarah": ("sally",),
    "abigail": ("abby",),
    "zachary": ("zach",),
    "frederick": ("fred",),
    "amanda": ("mandy",),
    "melissa": ("mel",),
    "kimberly": ("kim",),
    "jacob": ("jake",),
    "mary": (),
    "linda": (),
    "barbara": (),
    "karen": (),
    "nancy": (),
    "lisa": (),
    "sandra": (),
    "ashley": (),
    "emily": (),
    "laura": (),
    "helen": (),
    "anna": (),
    "olivia": (),
    "sophia": (),
    "mark": (),
    "paul": (),
    "kevin": (),
    "brian": (),
    "george": (),
    "jason": (),
    "ryan": (),
    "gary": (),
    "eric": (),
    "scott": (),
    "justin": (),
    "brandon": (),
    "frank": (),
    "henry": (),
    "carlos": (),
    "priya": (),
    "wei": (),
    "fatima": (),
    "ahmed": (),
    "yuki": (),
    "lars": (),
    "ingrid": (),
    "mateo": (),
    "chloe": (),
    "noah": (),
    "liam": (),
    "ethan": (),
    "grace": (),
    "hannah": (),
    "isaac": (),
    "julia": (),
    "keith": (),
    "leon": (),
    "maria": (),
    "nina": (),
    "oscar": (),
    "rachel": (),
    "simon": (),
    "tara": (),
    "victor": (),
    "wendy": (),
    "yara": (),
}
LAST_NAMES: tuple[str, ...] = (
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "gomez",
    "phillips",
    "evans",
    "turner",
    "diaz",
    "parker",
    "cruz",
    "edwards",
    "collins",
    "reyes",
    "stewart",
    "morris",
    "morales",
    "murphy",
    "cook",
    "rogers",
    "gutierrez",
    "ortiz",
    "morgan",
    "cooper",
    "peterson",
    "bailey",
    "reed",
    "kelly",
    "howard",
    "ramos",
    "kim",
    "cox",
    "ward",
    "richardson",
    "watson",
    "brooks",
    "chavez",
    "wood",
    "james",
    "bennett",
    "gray",
    "mendoza",
    "ruiz",
    "hughes",
    "price",
    "alvarez",
    "castillo",
    "sanders",
    "patel",
    "myers",
    "long",
    "ross",
    "foster",
    "jimenez",
    "okafor",
    "schneider",
    "fischer",
    "weber",
    "becker",
    "hoffmann",
    "kowalski",
    "novak",
    "larsen",
    "johansson",
    "tanaka",
    "suzuki",
    "sato",
    "chen",
    "wang",
    "zhang",
    "liu",
    "singh",
    "kumar",
    "ali",
    "hassan",
    "dubois",
    "moreau",
    "laurent",
    "rossi",
    "russo",
    "ferrari",
    "costa",
    "silva",
    "santos",
    "oliveira",
    "o'brien",
    "mcdonald",
    "fitzgerald",
    "van der berg",
    "de vries",
)
COMPANY_WORDS: tuple[str, ...] = (
    "acme",
    "globex",
    "initech",
    "umbrella",
    "stark",
    "wayne",
    "hooli",
    "vandelay",
    "wonka",
    "tyrell",
    "cyberdyne",
    "soylent",
    "aperture",
    "massive",
    "gringotts",
    "oscorp",
    "dunder",
    "pied",
    "piper",
    "blue",
    "red",
    "north",
    "south",
    "summit",
    "apex",
    "vertex",
    "nimbus",
    "quantum",
    "orbit",
    "harbor",
    "granite",
    "cedar",
    "maple",
    "silver",
    "golden",
    "iron",
    "bright",
    "clear",
    "swift",
    "prime",
    "nova",
    "terra",
    "aqua",
    "solar",
    "lunar",
    "atlas",
)
COMPANY_KINDS: tuple[str, ...] = (
    "systems",
    "labs",
    "logistics",
    "analytics",
    "foods",
    "health",
    "energy",
    "media",
    "software",
    "partners",
    "robotics",
    "capital",
    "dynamics",
    "networks",
    "solutions",
)
LEGAL_SUFFIXES: tuple[str, ...] = ("Inc", "Inc.", ", Inc.", "LLC", "Ltd", "GmbH", "Corp.", "Co.", "")
FREE_MAIL: tuple[str, ...] = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")
ROLE_MAILBOXES: tuple[str, ...] = ("info", "sales", "contact", "hello", "marketing")
TLDS: tuple[str, ...] = ("com", "com", "com", "io", "co", "net", "de", "co.uk")
CITIES: tuple[str, ...] = (
    "new york", "chicago", "houston", "phoenix", "philadelphia", "san antonio", "san diego",
    "dallas", "austin", "seattle", "denver", "boston", "portland", "atlanta", "miami",
    "minneapolis", "pittsburgh", "cleveland", "sacramento", "nashville",
)  # fmt: skip
# names common enough that strangers share them (the precision trap of the hard profile)
COMMON_NAMES: tuple[tuple[str, str], ...] = (
    ("james", "smith"), ("mary", "johnson"), ("michael", "williams"), ("maria", "garcia"),
    ("david", "brown"), ("jennifer", "jones"), ("robert", "miller"), ("linda", "davis"),
)  # fmt: skip


@dataclass(frozen=True)
class Noise:
    """How often each kind of mess occurs in a record (or a person, for the person-level ones)."""

    email_typo: float = 0.0  # one slip in the local part or the domain of the work address
    no_email: float = 0.15  # share of later records without an email
    swapped_misspelt: float = 0.0  # first/last transposed AND one of them misspelt
    missing_first: float = 0.0
    initial: float = 0.0  # first name as an initial ("J.")
    city: float = 0.0  # records that carry the person's city
    city_typo: float = 0.0
    common_name_strangers: float = 0.0  # people given a common name (see COMMON_NAMES), same city
    job_changers: float = 0.0  # people whose later records are at another company


EASY = Noise()
HARD = Noise(
    email_typo=0.08,
    no_email=0.30,
    swapped_misspelt=0.04,
    missing_first=0.05,
    initial=0.05,
    city=0.7,
    city_typo=0.08,
    common_name_strangers=0.06,
    job_changers=0.05,
)


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    switchboard: str  # digits, E.164 without '+', US numbers
    country: str


@dataclass(frozen=True)
class Person:
    person_id: str
    first: str  # formal, lower case
    last: str
    company: Company
    direct_phone: str | None
    personal_email: str
    work_email: str  # unique: colleagues with the same initials get a number, as mail admins do
    city: str = "new york"
    new_company: Company | None = None  # a job changer's later employer
    new_work_email: str | None = None


@dataclass
class LabelledLeads:
    """Raw lead records plus the truth: which person each record is."""

    rows: list[dict] = field(default_factory=list)
    person_of: dict[str, str] = field(default_factory=dict)  # source_record_id -> person_id

    def to_arrow(self) -> pa.Table:
        """The records as one Arrow batch with exactly `raw_lead_schema()`."""
        schema = raw_lead_schema()
        return pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in self.rows], schema=schema)

    def labels_arrow(self) -> pa.Table:
        return pa.table(
            {"source_record_id": list(self.person_of), "person_id": list(self.person_of.values())}
        )

    def write_csv(self, path: Path) -> Path:
        """One CSV export with the usual headers (for benchmarks that run the CSV loader)."""
        import pyarrow.csv as pacsv

        cols = [
            "source_record_id",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "company_name",
            "job_title",
            "country",
        ]
        table = (
            self.to_arrow()
            .select(cols)
            .rename_columns(
                [
                    "Lead ID",
                    "First Name",
                    "Last Name",
                    "Name",
                    "Email",
                    "Phone",
                    "Company",
                    "Job Title",
                    "Country",
                ]
            )
        )
        pacsv.write_csv(table, path)
        return path


def _chance(rng: random.Random, p: float) -> bool:
    """True with probability p; draws nothing when p is 0 (so the easy profile's stream is unchanged)."""
    return p > 0 and rng.random() < p


def _us_number(rng: random.Random) -> str:
    return f"1{rng.randint(201, 989)}{rng.randint(201, 989)}{rng.randint(0, 9999):04d}"


def _format_phone(rng: random.Random, digits: str) -> str:
    """One of the ways people type a US number."""
    area, exchange, line = digits[1:4], digits[4:7], digits[7:]
    return rng.choice(
        (
            f"+1 ({area}) {exchange}-{line}",
            f"{area}.{exchange}.{line}",
            f"{area}{exchange}{line}",
            f"+1{area}{exchange}{line}",
            f"1-{area}-{exchange}-{line}",
            f"({area}) {exchange} {line}",
            f"+1 {area} {exchange} {line}",
        )
    )


def _typo(rng: random.Random, word: str) -> str:
    """One keyboard slip away from `word`, never in the first letter (that is rarer in practice)."""
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 1)
    kind = rng.choice(("substitute", "drop", "double", "swap"))
    if kind == "substitute":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def _case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.6:
        text = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    elif roll < 0.75:
        text = text.upper()
    if rng.random() < 0.1:
        text = f"  {text} "
    return text


def _companies(rng: random.Random, n: int) -> list[Company]:
    seen: set[str] = set()
    out: list[Company] = []
    while len(out) < n:
        base = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        if base in seen:
            base = f"{base} {rng.choice(COMPANY_WORDS)}"
        if base in seen:
            # the word combinations run out near 30k companies: number the rest
            base = f"{base} {len(out)}"
        seen.add(base)
        domain = base.replace(" ", "") + "." + rng.choice(TLDS)
        out.append(Company(base, domain, _us_number(rng), "US"))
    return out


def _people(rng: random.Random, n: int, companies: list[Company], noise: Noise = EASY) -> list[Person]:
    firsts = list(FIRST_NAMES)
    people: list[Person] = []
    taken: set[tuple[str, str, str]] = set()  # (first, last, company): one such person per company
    work_emails: set[str] = set()
    while len(people) < n:
        if people and rng.random() < 0.04:
            # a same-name stranger: an existing person's name at another company
            twin = rng.choice(people)
            first, last = twin.first, twin.last
        elif _chance(rng, noise.common_name_strangers):
            first, last = rng.choice(COMMON_NAMES)
        else:
            first, last = rng.choice(firsts), rng.choice(LAST_NAMES)
        company = rng.choice(companies)
        if (first, last, company.name) in taken:
            continue
        taken.add((first, last, company.name))
        pid = f"p{len(people):06d}"
        plain_last = last.replace(" ", "").replace("'", "")
        handle = f"{first}.{plain_last}{rng.randint(1, 99)}"
        work_local, suffix = f"{first[0]}{plain_last}", 1
        while f"{work_local}@{company.domain}" in work_emails:
            suffix += 1
            work_local = f"{first[0]}{plain_last}{suffix}"
        work_emails.add(f"{work_local}@{company.domain}")
        # strangers with a common name mostly live in one city: that is the trap
        city = CITIES[0]
        if noise.city:
            common = (first, last) in COMMON_NAMES and rng.random() < 0.6
            city = CITIES[0] if common else rng.choice(CITIES)
        new_company = new_email = None
        if _chance(rng, noise.job_changers):
            new_company = rng.choice(companies)
            new_email = f"{first}.{plain_last}@{new_company.domain}"
        people.append(
            Person(
                pid,
                first,
                last,
                company,
                _us_number(rng) if rng.random() < 0.7 else None,
                f"{handle}@{rng.choice(FREE_MAIL)}",
                f"{work_local}@{company.domain}",
                city,
                new_company if new_company is not company else None,
                new_email if new_company is not company else None,
            )
        )
    return people


def _email_typo(rng: random.Random, email: str) -> str:
    """A slip in the local part (maria.keler@) or the domain (acme.co for acme.com)."""
    local, domain = email.split("@", 1)
    if rng.random() < 0.5:
        return f"{_typo(rng, local)}@{domain}"
    if domain.endswith(".com") and rng.random() < 0.5:
        return f"{local}@{domain[:-1]}"
    name, _, tld = domain.partition(".")
    return f"{local}@{_typo(rng, name)}.{tld}"


def _touch(rng: random.Random, person: Person, index: int, first_touch: bool, noise: Noise = EASY) -> dict:
    """One record of `person` as some source would send it."""
    moved = person.new_company is not None and not first_touch and rng.random() < 0.5
    c = person.new_company if moved else person.company
    first, last = person.first, person.last
    nickname_pool = FIRST_NAMES.get(first, ())
    if nickname_pool and rng.random() < 0.2:
        first = rng.choice(nickname_pool)
    if rng.random() < 0.05:
        first = _typo(rng, first)
    elif rng.random() < 0.05:
        last = _typo(rng, last)
    work_email = person.new_work_email if moved else person.work_email
    if _chance(rng, noise.email_typo):
        work_email = _email_typo(rng, work_email)

    # which email the record carries; the first touch of a person usually has the work address
    roll = rng.random()
    no_email = noise.no_email
    if first_touch or roll < 0.80 - no_email:
        email: str | None = work_email
    elif roll < 0.80:
        email = None
    elif roll < 0.90:
        email = person.personal_email
    else:
        email = f"{rng.choice(ROLE_MAILBOXES)}@{c.domain}"
    if email and rng.random() < 0.2:
        email = rng.choice((email.upper(), f" {email} ", email.capitalize(), f"<{email}>"))

    roll = rng.random()
    phone_digits = person.direct_phone if roll < 0.55 else (c.switchboard if roll < 0.8 else None)
    if moved and phone_digits == c.switchboard:
        phone_digits = person.direct_phone  # a job changer is found by the mobile, if at all
    phone = _format_phone(rng, phone_digits) if phone_digits else None

    company_name = f"{c.name} {rng.choice(LEGAL_SUFFIXES)}".strip() if rng.random() < 0.95 else None
    row = {
        "source_record_id": f"r{person.person_id}-{index}",
        "email": email,
        "phone": phone,
        "company_name": _case(rng, company_name) if company_name else None,
        "job_title": rng.choice(("VP Sales", "Head of Marketing", "CTO", "Engineer", "Analyst", None)),
        "country": rng.choice(("US", "United States", "USA", "us")),
    }
    if _chance(rng, noise.city):
        city = _typo(rng, person.city) if _chance(rng, noise.city_typo) else person.city
        row["city"] = _case(rng, city)
    name_noise = noise.swapped_misspelt + noise.missing_first + noise.initial
    roll = rng.random() if name_noise else 1.0
    if roll < noise.swapped_misspelt:
        first, last = _typo(rng, last), first
    elif roll < noise.swapped_misspelt + noise.missing_first:
        first = ""
    elif roll < noise.swapped_misspelt + noise.missing_first + noise.initial:
        first = first[0] + "."
    transposed = rng.random() < 0.03
    a, b = (last, first) if transposed else (first, last)
    if not a or not b:
        row["last_name"] = _case(rng, a or b)
    elif rng.random() < 0.2:
        row["full_name"] = _case(rng, f"{b}, {a}" if rng.random() < 0.5 else f"{a} {b}")
    else:
        row["first_name"], row["last_name"] = _case(rng, a), _case(rng, b)
    return row


def generate(
    n_people: int = 2000,
    *,
    seed: int = 7,
    source_name: str = "bench_leads",
    people_per_company: float = 3.0,
    max_touches: int = 4,
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    hard: bool = False,
) -> LabelledLeads:
    """`n_people` people, each with 1..max_touches records (about 1.7 on average), shuffled in time.

    Colleagues share a company (about `people_per_company` each), its switchboard and domain.
    """
    rng = random.Random(seed)
    noise = HARD if hard else EASY
    companies = _companies(rng, max(1, int(n_people / people_per_company)))
    out = LabelledLeads()
    for person in _people(rng, n_people, companies, noise):
        touches = 1
        while touches < max_touches and rng.random() < 0.45:
            touches += 1
        for i in range(touches):
            row = _touch(rng, person, i, first_touch=i == 0, noise=noise)
            row.update(
                {
                    "source_name": source_name,
                    "source_type": "csv",
                    "lead_origin": "inbound",
                    "received_at": start + timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
                    "is_test": False,
                }
            )
            out.rows.append(row)
            out.person_of[row["source_record_id"]] = person.person_id
    rng.shuffle(out.rows)
    return out


def iter_batches(
    n_people: int, *, batch_people: int = 50_000, seed: int = 7, **kwargs
) -> Iterator[LabelledLeads]:
    """Big volumes in pieces (each piece its own people), for benchmarks at 1M leads."""
    done = 0
    while done < n_people:
        size = min(batch_people, n_people - done)
        part = generate(size, seed=seed + done, **kwargs)
        # person ids must stay unique across pieces
        prefix = f"b{done}_"
        part.person_of = {f"{prefix}{k}": f"{prefix}{v}" for k, v in part.person_of.items()}
        for row in part.rows:
            row["source_record_id"] = prefix + row["source_record_id"]
        yield part
        done += size
