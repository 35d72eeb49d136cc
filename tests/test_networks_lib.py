"""salama.lib.networks: phones, plates and names of alleged exploiters compared
across cases, and the clusters they make."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salama.lib.networks import (
    NAME,
    NAME_MATCH,
    PHONE,
    VEHICLE,
    Record,
    compare_names,
    find_clusters,
    find_links,
    names_match,
    phone_key,
    plate_key,
    word_similarity,
)

# ---- Phones and plates ----


@pytest.mark.parametrize(
    "written",
    ["+249 912 345 678", "00249912345678", "0912345678", "912-345-678", "٠٩١٢٣٤٥٦٧٨", "۰۹۱۲۳۴۵۶۷۸"],
)
def test_one_number_written_every_way_has_one_key(written):
    assert phone_key(written) == "912345678"


def test_numbers_that_differ_in_the_operator_prefix_stay_apart():
    # Egypt's 010 and 011 mobiles: the last eight digits would merge them.
    assert phone_key("+20 10 1234 5678") != phone_key("011 1234 5678")


@pytest.mark.parametrize("written", ["", "abc", "12 34", "+249", "ext. 12"])
def test_a_number_too_short_to_compare_has_no_key(written):
    assert phone_key(written) == ""


@pytest.mark.parametrize("written", ["kh-1234 ab", "KH 1234AB", "kh.1234.ab", "ＫＨ１２３４ＡＢ"])
def test_plates_compare_on_capitals_letters_and_digits(written):
    assert plate_key(written) == "KH1234AB"


def test_plates_fold_arabic_indic_digits_and_letter_forms():
    assert plate_key("أ ب ٣٤٥") == plate_key("ا-ب 345") == "اب345"


def test_a_plate_without_letters_or_digits_has_no_key():
    assert plate_key(" - . ") == ""
    assert plate_key("7") == ""


# ---- Names ----

SAME_PERSON = [
    # across scripts
    ("Abu Karim", "أبو كريم"),
    ("Ahmed Hassan", "أحمد حسن"),
    ("Abdelrahman al-Khatib", "عبد الرحمن الخطيب"),
    ("Zaher Barakat", "زاهر بركات"),
    ("Ibrahim Adam", "إبراهيم آدم"),
    ("Umm Ali", "أم علي"),
    # spelling habits and typos
    ("Abu Kareem", "Abou Karim"),
    ("Abu Kraim", "Abu Karim"),
    ("Zaher Barakat", "Zaher Barkat"),
    ("Mohammed Ali", "Muhammad Aly"),
    ("Tesfay Gebremedhin", "Tesfaye Gebremedhin"),
    # a father's name left out of one of them
    ("Ahmed Hassan", "Ahmed Mahmoud Hassan"),
    ("Kidane Zekarias", "Kidane Zekarias Habtemariam"),
]

DIFFERENT = [
    # one common given name says nothing
    ("Ahmed", "Ahmed Hassan"),
    ("Ahmed", "Ahmed"),
    ("Karim", "كريم"),
    # a word that disagrees
    ("Ahmed Hassan", "Ahmed Hussein"),
    ("Ahmed Hassan Ali", "Ahmed Hassan Omar"),
    ("Mohamed Ali", "Mahmoud Ali"),
    ("Kidane Zekarias", "Kidane Mesfin"),
    ("Jamal Taha", "Jamil Taha"),
    # patronymic order: Ahmed son of Ali is not Ali son of Ahmed
    ("Ali Ahmed", "Ahmed Ali"),
    # a father is not his child (a victim trafficked by a relative)
    ("Hassan Ali", "Amina Hassan Ali"),
    # kunyas: a father is not his son, a mother is not a father
    ("Abu Karim", "Karim"),
    ("Abu Karim", "Abu Kamal"),
    ("Umm Ali", "Abu Ali"),
    # one letter of another sound, in Arabic script
    ("زاهر بركات", "ظاهر بركات"),
    # other scripts, written differently
    ("ተስፋይ ክዳነ", "ክዳነ ተስፋይ"),
    ("", "Ahmed Hassan"),
]


@pytest.mark.parametrize(("a", "b"), SAME_PERSON)
def test_names_of_one_person_match(a, b):
    found = compare_names(a, b)
    assert found.matches, found
    assert found.score >= NAME_MATCH
    assert names_match(b, a)  # either way round


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_names_that_may_be_different_people_do_not_match(a, b):
    assert not names_match(a, b), compare_names(a, b)
    assert not names_match(b, a)


def test_a_cross_script_match_is_never_certainty():
    # Arabic does not write short vowels: only consonants can be compared.
    assert compare_names("Zaher Barakat", "زاهر بركات").score < 1.0
    assert compare_names("Zaher Barakat", "Zaher Barakat").score == 1.0


def test_names_of_the_variant_table_are_the_same_or_different_names():
    assert word_similarity("Mohammed", "محمد") == 1.0
    assert word_similarity("Hassan", "Hussein") == 0.0  # alike, but two names


def test_word_similarity_of_nothing_is_nothing():
    assert word_similarity("", "Ahmed") == 0.0


# ---- Links and clusters ----


def rec(id, case, names=(), phones=(), vehicles=()):
    return Record(id, case, tuple(names), tuple(phones), tuple(vehicles))


def test_records_of_different_cases_link_by_phone_vehicle_and_name():
    links = find_links(
        [
            rec(1, "A", ["Abu Karim"], ["p1"], ["v1"]),
            rec(2, "B", ["أبو كريم"], ["p1"]),
            rec(3, "C", ["Someone Else"], [], ["v1"]),
        ]
    )
    kinds = {(link.left, link.right, link.kind) for link in links}
    assert kinds == {(1, 2, PHONE), (1, 3, VEHICLE), (1, 2, NAME)}
    by_kind = {link.kind: link for link in links}
    assert by_kind[PHONE].explanation() == "same phone"
    assert by_kind[VEHICLE].explanation() == "same vehicle"
    assert by_kind[NAME].explanation() == "names 'Abu Karim' and 'أبو كريم' match (1.00)"


def test_records_of_one_case_are_not_linked():
    assert (
        find_links([rec(1, "A", ["Abu Karim"], ["p1"]), rec(2, "A", ["Abu Karim"], ["p1"])]) == []
    )


def test_a_name_link_keeps_the_best_pair_of_names_and_explains_its_score():
    (link,) = find_links(
        [
            rec(1, "A", ["Zaher Barkat", "Zaher Barakat"]),
            rec(2, "B", ["زاهر بركات", "Zaher Barakat Adam"]),
        ]
    )
    assert (link.left_name, link.right_name, link.score) == (
        "Zaher Barakat",
        "Zaher Barakat Adam",
        1.0,
    )


def test_unlike_names_and_common_given_names_make_no_link():
    assert (
        find_links(
            [rec(1, "A", ["Ahmed"]), rec(2, "B", ["Ahmed Hassan"]), rec(3, "C", ["Ahmed Hussein"])]
        )
        == []
    )


def test_clusters_join_cases_through_a_chain_of_links():
    clusters = find_clusters(
        [
            rec(1, "A", ["Abu Karim"]),
            rec(2, "B", ["أبو كريم"], ["p1"]),
            rec(3, "C", [], ["p1"], ["v9"]),
            rec(4, "D", ["Jamal Taha"], [], ["v9"]),
            rec(5, "E", ["Nobody Linked"]),
            rec(6, "F", ["Kidane Mesfin"], ["p7"]),
            rec(7, "G", ["Kidane Mesfin Tekle"], ["p8"]),
        ]
    )
    assert [sorted(c.cases) for c in clusters] == [["A", "B", "C", "D"], ["F", "G"]]
    first = clusters[0]
    assert sorted(first.records) == [1, 2, 3, 4]
    assert sorted(link.kind for link in first.links) == [NAME, PHONE, VEHICLE]
    assert all(c != "E" for cluster in clusters for c in cluster.cases)


def test_no_records_no_clusters():
    assert find_clusters([]) == []


# ---- Any input (PROTECTION.md 26) ----

NAMEISH = st.text(
    alphabet=st.sampled_from(list("abdhikmrsu AKM-'") + list("ابوكريمحسن أ") + ["١", "7"]),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(NAMEISH, NAMEISH)
def test_name_comparison_is_symmetric_and_bounded(a, b):
    one, other = compare_names(a, b), compare_names(b, a)
    assert one.matches == other.matches
    assert 0.0 <= one.score <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_keys_are_idempotent_and_plain(text):
    phone, plate = phone_key(text), plate_key(text)
    assert phone_key(phone) == phone and plate_key(plate) == plate
    assert phone == "" or (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 9)
