"""Links between protection cases that name the same alleged exploiter
(no Django imports).

A case records alleged exploiters and recruiters, never the victim. Two
records of different cases are linked when they share a phone, a vehicle or a
name; cases are then put together by union-find, so that A-B and B-C show as
one cluster. Each link says why it was made, for the officer to judge: a link
is a lead to check, not a finding.

Phones and plates are compared exactly, on normalised forms (the caller keys
them with an HMAC before storing; this module only compares the keys). Names
are compared with the registry's own normalisation (salama.lib.linkage):
canonical names from its variant table, loose Latin keys and consonant
skeletons across Arabic and Latin script, and Jaro-Winkler similarity as its
comparison uses."""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from rapidfuzz.distance import JaroWinkler

from salama.lib.linkage.clusters import clusters as union_find
from salama.lib.linkage.normalise import (
    canonical,
    clean,
    is_arabic_script,
    loose_latin,
    name_skeleton,
    tokens,
)

# ---- Phones and plates ----

# A phone is compared on its last nine digits. The same number is written
# +249 912 345 678, 00249912345678, 0912345678 or 912345678: E.164 would need
# the country of every number, which a survivor often does not know (a
# recruiter's foreign number, a number read off a screen), and a wrong guess
# splits one number in two. The mobile numbers of the region (Sudan, South
# Sudan, Libya, Syria, Jordan, Yemen, Ethiopia, Kenya, Uganda: nine national
# digits; Egypt, Iraq, Nigeria: ten) keep their whole subscriber number and
# operator prefix in the last nine digits, while the country code, the 00 or +
# and the trunk 0 all fall outside them. Eight digits (the registry's choice)
# would merge Egypt's 010/011/012 numbers that differ only in the operator.
# A shorter number is compared whole: written once with its country code and
# once without, an eight-digit national number (Chad, Lebanon) is missed.
PHONE_DIGITS = 9
MIN_PHONE_DIGITS = 7  # the shortest national numbers of the region (Eritrea)
MIN_PLATE_CHARS = 2


def _fold_digits(text: str) -> str:
    """Arabic-Indic, Persian and other decimal digits → 0-9."""
    return "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )


def phone_key(text: str) -> str:
    """The comparable form of a phone number: its last nine digits, or all of
    them when fewer; "" when it has fewer than MIN_PHONE_DIGITS (not a number
    that can be compared: a partial number would link strangers)."""
    digits = re.sub(r"\D", "", _fold_digits(unicodedata.normalize("NFKC", text or "")))
    digits = re.sub(r"[^0-9]", "", digits)
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return digits[-PHONE_DIGITS:]


# Arabic letter forms written interchangeably on plates and keyboards.
_PLATE_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": ""})


def plate_key(text: str) -> str:
    """A vehicle plate in capitals, letters and digits only (spaces, dashes
    and dots dropped, Arabic-Indic digits folded); "" when too short."""
    text = _fold_digits(unicodedata.normalize("NFKC", text or "")).upper().translate(_PLATE_FOLD)
    key = "".join(ch for ch in text if ch.isalnum())
    return key if len(key) >= MIN_PLATE_CHARS else ""


# ---- Names ----

# Two words agree when their similarity reaches TOKEN_AGREE. Jaro-Winkler
# gives about 0.94 to a swapped or doubled letter (Karim/Kraim) and about 0.91
# to one vowel changed, which in Latin spellings of Arabic names is as often a
# different name (Jamal/Jamil, Karam/Karim) as a typo: 0.92 keeps the first
# and not the second. The registry's comparison calls 0.94 "spelled alike".
TOKEN_AGREE = 0.92
# Across scripts only consonants can be compared (Arabic does not write short
# vowels): equal skeletons are "sounds alike", worth 0.95, never certainty.
CROSS_SCRIPT = 0.95
# Two names match when the words of the shorter one agree, in order, with
# words of the longer one, starting with the given names, and the mean
# agreement reaches NAME_MATCH. With TOKEN_AGREE above it, this means every
# word of the shorter name is found: a word that disagrees brings a two-word
# name to 0.5 and a three-word one to 0.67 (Ahmed Hassan Ali is not Ahmed
# Hassan Omar); a father's name left out does not count against (Ahmed Hassan
# and Ahmed Mahmoud Hassan match).
NAME_MATCH = 0.9
# And at least two words must agree: one common given name says nothing
# (Ahmed is not Ahmed Hassan, nor another Ahmed). A kunya (Abu Karim, Umm Ali)
# is the name such people go by and counts as two.
MIN_WORDS = 2
_KUNYA = re.compile(r"^(?:abu|abou|ابو)(?=\w{2})")
_UMM = {"umm", "um", "om", "ام"}


@dataclass(frozen=True)
class _Word:
    text: str  # a kunya without its particle: the son's (or daughter's) name
    kunya: str = ""  # "abu", "umm" or ""


def _words(name: str) -> tuple[_Word, ...]:
    found = tokens(name)
    out: list[_Word] = []
    i = 0
    while i < len(found):
        word = found[i]
        if word in _UMM and i + 1 < len(found):  # Umm Ali, أم علي
            out.append(_Word(found[i + 1], "umm"))
            i += 2
            continue
        known = not canonical(word).startswith(("~", "^"))  # Abu Bakr: a given name
        if _KUNYA.match(word) and not known:
            out.append(_Word(_KUNYA.sub("", word), "abu"))
        else:
            out.append(_Word(word))
        i += 1
    return tuple(out)


@lru_cache(maxsize=100_000)
def word_similarity(a: str, b: str) -> float:
    """How alike two words of names are, from 0 to 1, in either script."""
    if not a or not b:
        return 0.0
    if clean(a) == clean(b):
        return 1.0
    ca, cb = canonical(a), canonical(b)
    known_a, known_b = not ca.startswith(("~", "^")), not cb.startswith(("~", "^"))
    if ca == cb and (known_a or known_b):
        return 1.0  # the variant table: Mohammed, محمد, Muhammad
    if known_a and known_b:
        return 0.0  # two different names of the table, however alike (Hasan, Husayn)
    arabic_a, arabic_b = is_arabic_script(a), is_arabic_script(b)
    if arabic_a and arabic_b:
        if ca == cb:
            return CROSS_SCRIPT  # same consonants, vowels written differently
        return float(JaroWinkler.normalized_similarity(clean(a), clean(b)))
    if not arabic_a and not arabic_b:
        la, lb = loose_latin(a), loose_latin(b)
        if not la or not lb:  # another script (Ge'ez): its own letters, as written
            la, lb = clean(a), clean(b)
        return float(JaroWinkler.normalized_similarity(la, lb))
    sa, sb = name_skeleton(a), name_skeleton(b)
    if len(sa) < 2 or len(sb) < 2:
        return 0.0  # one consonant says nothing
    return CROSS_SCRIPT * float(JaroWinkler.normalized_similarity(sa, sb))


def _pair_similarity(a: _Word, b: _Word) -> float:
    if a.kunya != b.kunya:
        return 0.0  # Abu Karim is Karim's father, Umm Ali is not Abu Ali
    return word_similarity(a.text, b.text)  # a kunya: the names after the particle


def _weight(word: _Word) -> int:
    return 2 if word.kunya else 1


@dataclass(frozen=True)
class NameMatch:
    score: float  # mean agreement of the shorter name's words, 0 to 1
    words: int  # words in agreement (a kunya counts two)
    given: bool  # the first words agree

    @property
    def matches(self) -> bool:
        return self.given and self.words >= MIN_WORDS and self.score >= NAME_MATCH


def compare_names(a: str, b: str) -> NameMatch:
    """The best in-order alignment of two names' words, given names first."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return NameMatch(0.0, 0, False)
    if len(wa) > len(wb):
        wa, wb = wb, wa
    first = _pair_similarity(wa[0], wb[0])
    if first < TOKEN_AGREE:
        return NameMatch(round(first / len(wa), 2), 0, False)
    # The other words: an order-preserving alignment of the shorter name's
    # words with the longer one's that agrees most (a small dynamic program).
    rest_a, rest_b = wa[1:], wb[1:]
    best = [[(0.0, 0)] * (len(rest_b) + 1) for _ in range(len(rest_a) + 1)]
    for i, x in enumerate(rest_a, 1):
        for j, y in enumerate(rest_b, 1):
            options = [best[i - 1][j], best[i][j - 1]]
            sim = _pair_similarity(x, y)
            if sim >= TOKEN_AGREE:
                total, words = best[i - 1][j - 1]
                options.append((total + sim, words + _weight(x)))
            best[i][j] = max(options)
    total, words = best[len(rest_a)][len(rest_b)]
    return NameMatch(round((first + total) / len(wa), 2), words + _weight(wa[0]), True)


def names_match(a: str, b: str) -> bool:
    return compare_names(a, b).matches


# ---- Links and clusters ----

PHONE, VEHICLE, NAME = "phone", "vehicle", "name"


@dataclass(frozen=True)
class Record:
    """One alleged exploiter as recorded on one case."""

    id: Hashable
    case_id: Hashable
    names: Sequence[str] = ()
    phone_keys: Sequence[str] = ()
    vehicle_keys: Sequence[str] = ()


@dataclass(frozen=True)
class Link:
    """Why two records of two cases may be one person."""

    left: Hashable  # record ids
    right: Hashable
    left_case: Hashable
    right_case: Hashable
    kind: str  # PHONE, VEHICLE or NAME
    left_name: str = ""
    right_name: str = ""
    score: float = 1.0

    def explanation(self) -> str:
        """In English, for logs and tests; pages translate from the fields."""
        if self.kind == PHONE:
            return "same phone"
        if self.kind == VEHICLE:
            return "same vehicle"
        return f"names '{self.left_name}' and '{self.right_name}' match ({self.score:.2f})"


@dataclass
class Cluster:
    cases: list[Hashable]  # in order of first appearance
    records: list[Hashable]
    links: list[Link] = field(default_factory=list)


def _block(name: str) -> str:
    """Names are compared within blocks: the first two consonants of the given
    name (of a kunya, of the name after its particle), in either script. A typo
    in those two is missed; comparing every pair would not scale."""
    words = _words(name)
    if not words:
        return ""
    return words[0].kunya + ":" + name_skeleton(words[0].text)[:2]


def _exact_links(records: Sequence[Record], kind: str) -> list[Link]:
    by_key: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        for key in dict.fromkeys(record.phone_keys if kind == PHONE else record.vehicle_keys):
            if key:
                by_key[key].append(record)
    seen: set[tuple[Hashable, Hashable]] = set()
    links = []
    for group in by_key.values():
        for a, b in combinations(group, 2):
            if a.case_id != b.case_id and (a.id, b.id) not in seen:
                seen.add((a.id, b.id))
                links.append(Link(a.id, b.id, a.case_id, b.case_id, kind))
    return links


def _name_links(records: Sequence[Record]) -> list[Link]:
    blocks: dict[str, list[tuple[Record, str]]] = defaultdict(list)
    for record in records:
        for name in dict.fromkeys(n.strip() for n in record.names if n and n.strip()):
            key = _block(name)
            if key:
                blocks[key].append((record, name))
    best: dict[tuple[Hashable, Hashable], Link] = {}
    for group in blocks.values():
        for (a, name_a), (b, name_b) in combinations(group, 2):
            if a.case_id == b.case_id:
                continue
            found = compare_names(name_a, name_b)
            if not found.matches:
                continue
            pair = (a.id, b.id)
            if pair not in best or found.score > best[pair].score:
                best[pair] = Link(
                    a.id, b.id, a.case_id, b.case_id, NAME, name_a, name_b, found.score
                )
    return list(best.values())


def find_links(records: Iterable[Record]) -> list[Link]:
    """Every link between records of different cases: same phone key, same
    vehicle key, or names that match (the best-matching pair of names)."""
    records = list(records)
    return _exact_links(records, PHONE) + _exact_links(records, VEHICLE) + _name_links(records)


def find_clusters(records: Iterable[Record]) -> list[Cluster]:
    """Cases joined by links (union-find over cases), with the records and
    links that join them; cases without a link are in no cluster."""
    records = list(records)
    links = find_links(records)
    number = union_find((link.left_case, link.right_case) for link in links)
    found: dict[int, Cluster] = {}
    for case_id, n in number.items():
        found.setdefault(n, Cluster([], [])).cases.append(case_id)
    for link in links:
        found[number[link.left_case]].links.append(link)
    linked = {r for link in links for r in (link.left, link.right)}
    for record in records:
        if record.id in linked:
            found[number[record.case_id]].records.append(record.id)
    return [found[n] for n in sorted(found)]
