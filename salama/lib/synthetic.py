"""Synthetic displacement-registry households for the demo (no Django imports).

Names come in their own script with a common Latin transliteration: Arabic
(Levant and Iraq), Dari/Pashto (Afghanistan) and Somali (written in Latin).
Every person is fictitious.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# (original script, Latin)
ARABIC_MALE = [
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmad"),
    ("علي", "Ali"),
    ("حسن", "Hassan"),
    ("حسين", "Hussein"),
    ("عمر", "Omar"),
    ("خالد", "Khaled"),
    ("يوسف", "Youssef"),
    ("إبراهيم", "Ibrahim"),
    ("عبد الرحمن", "Abdul Rahman"),
    ("محمود", "Mahmoud"),
    ("مصطفى", "Mustafa"),
    ("سعيد", "Said"),
    ("كريم", "Karim"),
    ("طارق", "Tareq"),
    ("فراس", "Firas"),
    ("بلال", "Bilal"),
    ("حمزة", "Hamza"),
]
ARABIC_FEMALE = [
    ("فاطمة", "Fatima"),
    ("عائشة", "Aisha"),
    ("مريم", "Maryam"),
    ("زينب", "Zainab"),
    ("نور", "Nour"),
    ("هدى", "Huda"),
    ("سارة", "Sara"),
    ("رنا", "Rana"),
    ("ليلى", "Layla"),
    ("أمل", "Amal"),
    ("خديجة", "Khadija"),
    ("رقية", "Ruqaya"),
    ("دعاء", "Duaa"),
    ("سلمى", "Salma"),
    ("هبة", "Heba"),
]
ARABIC_FAMILY = [
    ("الأحمد", "Al-Ahmad"),
    ("الحسن", "Al-Hassan"),
    ("العلي", "Al-Ali"),
    ("الخطيب", "Al-Khatib"),
    ("النجار", "Al-Najjar"),
    ("الحمصي", "Al-Homsi"),
    ("الجبوري", "Al-Jubouri"),
    ("الدليمي", "Al-Dulaimi"),
    ("العبيدي", "Al-Obaidi"),
    ("حداد", "Haddad"),
    ("شحادة", "Shehadeh"),
    ("المصري", "Al-Masri"),
    ("الزعبي", "Al-Zoubi"),
    ("الشامي", "Al-Shami"),
    ("التميمي", "Al-Tamimi"),
]
AFGHAN_MALE = [
    ("احمد شاه", "Ahmad Shah"),
    ("گل محمد", "Gul Mohammad"),
    ("عبدالله", "Abdullah"),
    ("نجیب الله", "Najibullah"),
    ("ذبیح الله", "Zabihullah"),
    ("فرید", "Farid"),
    ("حمید", "Hamid"),
    ("سید", "Sayed"),
    ("نور الله", "Noorullah"),
    ("شفیق", "Shafiq"),
    ("جاوید", "Jawed"),
]
AFGHAN_FEMALE = [
    ("مریم", "Maryam"),
    ("فرشته", "Fereshta"),
    ("شکیلا", "Shakila"),
    ("زرمینه", "Zarmina"),
    ("ملالی", "Malalai"),
    ("گلالی", "Gulalai"),
    ("ناهید", "Nahid"),
    ("پروین", "Parwin"),
    ("فریبا", "Fariba"),
]
AFGHAN_FAMILY = [
    ("احمدزی", "Ahmadzai"),
    ("پوپلزی", "Popalzai"),
    ("یوسفزی", "Yousafzai"),
    ("هزاره", "Hazara"),
    ("رحیمی", "Rahimi"),
    ("کریمی", "Karimi"),
    ("نوری", "Noori"),
    ("صدیقی", "Sediqi"),
    ("عزیزی", "Azizi"),
]
SOMALI_MALE = [
    "Abdi",
    "Abdirahman",
    "Mohamed",
    "Ahmed",
    "Hassan",
    "Farah",
    "Omar",
    "Yusuf",
    "Ali",
    "Abdullahi",
    "Nur",
    "Ismail",
]
SOMALI_FEMALE = [
    "Hodan",
    "Fadumo",
    "Amina",
    "Hawa",
    "Sahra",
    "Ifrah",
    "Khadra",
    "Ayan",
    "Faduma",
    "Sagal",
    "Hibo",
    "Asha",
]

ORIGINS = {
    "arabic": [
        ("SY", "Homs", "Al-Qusayr"),
        ("SY", "Aleppo", "Manbij"),
        ("SY", "Idlib", "Maarat al-Numan"),
        ("IQ", "Nineveh", "Sinjar"),
        ("IQ", "Anbar", "Fallujah"),
        ("SD", "West Darfur", "El Geneina"),
    ],
    "afghan": [
        ("AF", "Kabul", "Paghman"),
        ("AF", "Herat", "Guzara"),
        ("AF", "Nangarhar", "Jalalabad"),
        ("AF", "Kunduz", "Imam Sahib"),
    ],
    "somali": [
        ("SO", "Bay", "Baidoa"),
        ("SO", "Lower Shabelle", "Afgooye"),
        ("SO", "Gedo", "Luuq"),
    ],
}
LANGUAGES = {"arabic": ["ar"], "afghan": ["prs", "ps"], "somali": ["so"]}
NATIONALITY = {"SY": "SY", "IQ": "IQ", "SD": "SD", "AF": "AF", "SO": "SO"}


@dataclass
class SyntheticPerson:
    given: tuple[str, str]
    father: tuple[str, str]
    grandfather: tuple[str, str]
    family: tuple[str, str]
    sex: str
    relationship: str
    birth_date: date | None
    stated_age: int | None
    origin: tuple[str, str, str]
    languages: list[str]
    phone: str = ""
    needs: list[str] = field(default_factory=list)
    document: tuple[str, str, str] | None = None


@dataclass
class SyntheticHousehold:
    members: list[SyntheticPerson]


class Generator:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today

    def _name(self, group: str, sex: str) -> tuple[str, str]:
        r = self.rng
        if group == "arabic":
            return r.choice(ARABIC_MALE if sex == "M" else ARABIC_FEMALE)
        if group == "afghan":
            return r.choice(AFGHAN_MALE if sex == "M" else AFGHAN_FEMALE)
        name = r.choice(SOMALI_MALE if sex == "M" else SOMALI_FEMALE)
        return name, name

    def _family(self, group: str) -> tuple[str, str]:
        if group == "arabic":
            return self.rng.choice(ARABIC_FAMILY)
        if group == "afghan":
            return self.rng.choice(AFGHAN_FAMILY)
        return self._name("somali", "M")  # Somali names run given, father, grandfather

    def _birth(self, age: int) -> tuple[date | None, int | None]:
        """Exact dates for about 40%; otherwise a stated age, adults' often rounded."""
        if self.rng.random() < 0.4:
            born = self.today - timedelta(days=age * 365 + self.rng.randrange(365))
            return born, None
        if age >= 20 and self.rng.random() < 0.5:
            age = 5 * round(age / 5)
        return None, age

    def _person(
        self,
        group: str,
        sex: str,
        age: int,
        relationship: str,
        father: tuple[str, str],
        grandfather: tuple[str, str],
        family: tuple[str, str],
        origin: tuple[str, str, str],
    ) -> SyntheticPerson:
        born, stated = self._birth(age)
        person = SyntheticPerson(
            given=self._name(group, sex),
            father=father,
            grandfather=grandfather,
            family=family,
            sex=sex,
            relationship=relationship,
            birth_date=born,
            stated_age=stated,
            origin=origin,
            languages=list(LANGUAGES[group]),
        )
        if age >= 18 and self.rng.random() < 0.5:
            person.phone = "+9627" + "".join(str(self.rng.randrange(10)) for _ in range(8))
        if age >= 18 and self.rng.random() < 0.35:
            kind = self.rng.choice(["national_id", "passport", "refugee_id"])
            person.document = (kind, f"{self.rng.randrange(10**8, 10**9)}", origin[0])
        return person

    def household(self) -> SyntheticHousehold:
        r = self.rng
        group = r.choices(["arabic", "afghan", "somali"], weights=[6, 2, 2])[0]
        origin = r.choice(ORIGINS[group])
        kind = r.choices(
            ["family", "woman_alone", "unaccompanied", "single"], weights=[85, 7, 2, 6]
        )[0]
        family = self._family(group)
        grandfather = self._name(group, "M")
        father = self._name(group, "M")
        members: list[SyntheticPerson] = []
        if kind == "unaccompanied":
            age = r.randrange(12, 17)
            child = self._person(
                group, r.choice("MF"), age, "head", father, grandfather, family, origin
            )
            child.needs = ["SC-UC"] + (["CR-LW"] if r.random() < 0.4 else [])
            return SyntheticHousehold([child])
        head_sex = "F" if kind == "woman_alone" else "M"
        head_age = r.randrange(20, 65)
        head = self._person(group, head_sex, head_age, "head", father, grandfather, family, origin)
        if kind == "woman_alone":
            head.needs = ["WR-SF"] + (["SP-PT"] if r.random() < 0.6 else [])
        members.append(head)
        if kind == "family":
            wife_father = self._name(group, "M")
            wife = self._person(
                group,
                "F",
                max(18, head_age - r.randrange(0, 10)),
                "spouse",
                wife_father,
                self._name(group, "M"),
                self._family(group),
                origin,
            )
            members.append(wife)
        if kind in {"family", "woman_alone"}:
            # Children carry the head's given name as their father's name, and
            # the head's father's name as their grandfather's.
            child_father = head.given if head_sex == "M" else self._name(group, "M")
            child_grandfather = father if head_sex == "M" else self._name(group, "M")
            given_names = {m.given for m in members}
            for _ in range(r.choice([0, 1, 2, 3, 3, 4, 5, 6])):
                age = r.randrange(0, max(1, min(head_age - 16, 25)))
                child = self._person(
                    group,
                    r.choice("MF"),
                    age,
                    "child",
                    child_father,
                    child_grandfather,
                    family,
                    origin,
                )
                if child.given in given_names:
                    continue  # parents do not give two children one name
                given_names.add(child.given)
                members.append(child)
        if kind == "family" and r.random() < 0.1:
            members.append(
                self._person(
                    group,
                    "F",
                    r.randrange(60, 85),
                    "parent",
                    self._name(group, "M"),
                    self._name(group, "M"),
                    family,
                    origin,
                )
            )
        return SyntheticHousehold(members)
