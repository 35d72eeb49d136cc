"""Names across scripts: Unicode and Arabic-script normalisation, particles,
a curated variant table, a loose Latin key and a consonant skeleton."""

import os
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from anyascii import anyascii

# Arabic-script letter forms that clerks and keyboards write interchangeably.
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",  # alef with hamza or madda
        "ة": "ه",  # ta marbuta
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ئ": "ي",  # alef maqsura, Persian and Pashto ye
        "ک": "ك",
        "ګ": "گ",  # Persian kaf, Pashto gaf
        "ؤ": "و",
        "ء": "",  # hamza on waw, lone hamza
        "ـ": "",  # tatweel
    }
)
_HARAKAT = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_NON_LETTER = re.compile(r"[^\w\s]|_|\d")
_SPACES = re.compile(r"\s+")

# Particles joined to the word after them (Abd al-Rahman) or before them (Nur Allah).
_JOIN_NEXT = {
    "abd",
    "abdul",
    "abdel",
    "abdal",
    "abdu",
    "abu",
    "abou",
    "bin",
    "ben",
    "ibn",
    "عبد",
    "ابو",
    "بن",
}
_ALLAH = {"allah", "ullah", "ulla", "alla", "llah", "الله"}
_DIN = {"din", "uddin", "eddine", "aldin", "الدين"}
_JOIN_PREV = _ALLAH | _DIN
_ARTICLES = {"al", "el", "ul", "ar", "ad", "as", "ash", "an", "az", "ال"}
_DROP_PREFIX = re.compile(r"^(?:al|el)(?=\w{3})")
_ARABIC_ARTICLE = re.compile(r"^ال(?=\w{3})")


_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f]")


def is_arabic_script(text: str) -> bool:
    return _ARABIC_LETTER.search(text) is not None


@lru_cache(maxsize=500_000)
def clean(text: str) -> str:
    """NFKC, case folding, Arabic letter forms and harakat, Latin diacritics."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _HARAKAT.sub("", text).translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = text.replace("-", " ").replace("'", "").replace("`", "").replace("’", "")
    text = _NON_LETTER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Words of a name, with particles joined: "abd al rahman" → ["abdalrahman"]."""
    words = clean(text).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in _ARTICLES and i + 1 < len(words):
            i += 1  # "Al Hassan", "el-Ahmad": the article is not part of the name
            continue
        if word in _JOIN_NEXT and i + 1 < len(words):
            nxt = words[i + 1]
            if nxt in _ARTICLES and i + 2 < len(words):
                word, i = word + words[i + 2], i + 3
            else:
                word, i = word + nxt, i + 2
        else:
            i += 1
        if out and word in _JOIN_PREV:
            out[-1] += "ullah" if word in _ALLAH else "uddin"
            continue
        out.append(word)
    return out


def _strip_article(token: str) -> str:
    """The Arabic article written joined (الخطيب → خطيب); a Latin "Al" written
    joined is handled in canonical(), since Ali and Alaa start the same way."""
    return _ARABIC_ARTICLE.sub("", token) if is_arabic_script(token) else token


@lru_cache(maxsize=500_000)  # place and name tokens repeat across a registry
def loose_latin(token: str) -> str:
    """A spelling-habit key for a Latin token (Mohammed/Muhammad → muhamad).
    Only for fuzzy comparison and blocking; identity comes from the table."""
    t = anyascii(token).lower() if is_arabic_script(token) else token
    t = re.sub(r"[^a-z]", "", t)
    for a, b in (
        ("dj", "j"),
        ("ou", "u"),
        ("oo", "u"),
        ("ee", "i"),
        ("ie", "i"),
        ("ph", "f"),
        ("q", "k"),
        ("o", "u"),
        ("e", "a"),
        ("y", "i"),
        ("w", "u"),
        ("dh", "d"),
    ):
        t = t.replace(a, b)
    t = re.sub(r"(.)\1+", r"\1", t)
    return t[:-1] if len(t) > 3 and t.endswith("h") else t


def skeleton(token: str) -> str:
    """Consonants only, as Arabic script writes short vowels: a weak key."""
    # Somali writes the Arabic ha as x (Axmed, Xasan) and the ayn, which other
    # spellings leave out, as c (Cabdi, Abdi); French writes sh as ch (Chire).
    t = anyascii(token).lower() if is_arabic_script(token) else token.replace("x", "h")
    # Doubled letters first (Mohammed, Akhhmad): "khh" is a kh, not kh and h.
    # French writes the jim as dj (Djamila).
    t = re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", t)).replace("dj", "j")
    t = t.replace("kh", "x").replace("sh", "C").replace("ch", "C")
    t = t.replace("c", "").replace("C", "c").replace("th", "t").replace("q", "k")
    t = re.sub(r"[aeiouyw]", "", t)
    t = re.sub(r"(.)\1+", r"\1", t)
    return t[:-1] if len(t) > 1 and t.endswith("h") else t  # ta marbuta, Fatimah, عائشه


def _variant_key(text: str) -> str:
    return "".join(_strip_article(t) for t in tokens(text))


@cache
def variant_table() -> dict[str, str]:
    """Normalised spelling → canonical name, from the shipped file and an
    optional deployment file."""
    lines = (
        resources.files("salama.lib.linkage").joinpath("data/name_variants.tsv").read_text("utf-8")
    ).splitlines()
    extra = os.environ.get("SALAMA_NAME_VARIANTS")
    if extra:
        with open(extra, encoding="utf-8") as handle:
            lines += handle.read().splitlines()
    table: dict[str, str] = {}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        canonical, _, variants = line.partition("\t")
        for variant in [canonical, *variants.split("|")]:
            key = _variant_key(variant)
            if key:
                table.setdefault(key, canonical.strip())
    return table


@lru_cache(maxsize=500_000)
def canonical(name: str) -> str:
    """One name part → its canonical form: from the variant table when known,
    else its loose Latin key (prefixed by ~) so that unknown names still meet."""
    key = _variant_key(name)
    if not key:
        return ""
    table = variant_table()
    known = table.get(key) or table.get(_DROP_PREFIX.sub("", key))
    if known:
        return known
    if is_arabic_script(key):
        return "^" + skeleton(key)  # vowels are not written: keep the skeleton only
    if len(key) >= 6:
        key = _DROP_PREFIX.sub("", key)  # Alshami is Al-Shami (Ali and Alaa are shorter)
    return "~" + loose_latin(key)


@lru_cache(maxsize=500_000)
def name_skeleton(name: str) -> str:
    key = _variant_key(name)
    if not is_arabic_script(key) and len(key) >= 6:
        key = _DROP_PREFIX.sub("", key)  # "Alobaidi" written joined
    return skeleton(key)
