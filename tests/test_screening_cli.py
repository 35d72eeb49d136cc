"""`salama screening list|evaluate` on files of responses."""

import json

import pytest
from django.core.management import CommandError, call_command

VIGNETTES = [
    {
        "id": "adult-trafficked",
        "profile": "adult",
        "answers": {
            "d1_nature_job": "yes",
            "d1_wages": "yes",
            "d4_hours": "yes",
            "d4_low_pay": True,
            "d6_dependency": "yes",
            "d6_economic": "yes",
            "d6_past": "yes",
        },
    },
    {
        "id": "adult-no-means",
        "profile": "adult",
        "answers": {
            "d1_nature_job": "yes",
            "d1_wages": "yes",
            "d4_hours": "yes",
            "d4_low_pay": "yes",
        },
    },
    {
        "id": "child-moved-exploited",
        "profile": "child",
        "administered_with": "caregiver",
        "answers": {"act_recruited": "yes", "d4_hours": "yes", "d4_low_pay": "yes"},
    },
    {
        "id": "child-exploited-not-moved",
        "profile": "child",
        "administered_with": "caseworker",
        "answers": {"act_recruited": "no", "d4_hours": "yes", "d4_low_pay": "yes"},
    },
]


def run(tmp_path, responses, *extra):
    source = tmp_path / "responses.json"
    source.write_text(json.dumps(responses), encoding="utf-8")
    out = tmp_path / "results.jsonl"
    call_command(
        "screening",
        "evaluate",
        "--instrument",
        "ilo-ec-delphi-labour",
        str(source),
        "--out",
        str(out),
        *extra,
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_list_names_every_instrument(capsys):
    call_command("screening", "list")
    out = capsys.readouterr().out
    for name in [
        "ilo-ec-delphi-labour",
        "iom-fms-trafficking",
        "ilo-forced-labour-11",
        "salama-vulnerability",
    ]:
        assert name in out


def test_evaluate_reproduces_the_ilo_rules_on_vignettes(tmp_path):
    results = {r["id"]: r for r in run(tmp_path, VIGNETTES)}
    adult = results["adult-trafficked"]
    assert adult["outcome"] == "indicative_adult"
    assert {k for k, d in adult["dimensions"].items() if d["positive"]} == {"D1", "D4", "D6"}
    assert adult["dimensions"]["D6"] == {"positive": True, "strong": 0, "medium": 2, "weak": 1}
    assert set(adult["fired"]) == set(VIGNETTES[0]["answers"])
    assert results["adult-no-means"]["outcome"] == "elements_present"
    assert results["adult-no-means"]["rules"]["means_at_destination"] is False
    assert results["child-moved-exploited"]["outcome"] == "indicative_child"
    # The child was not moved and no recruitment dimension is positive.
    assert results["child-exploited-not-moved"]["outcome"] == "elements_present"


def test_evaluate_in_arabic(tmp_path):
    [result] = run(tmp_path, VIGNETTES[:1], "--language", "ar")
    assert "الاتجار" in result["label"]


@pytest.mark.parametrize(
    "response, message",
    [
        (
            {"id": "r1", "profile": "adult", "answers": {"d9_made_up": "yes"}},
            "response 2 (id 'r1'): d9_made_up: no such item",
        ),
        (
            {"id": "r1", "profile": "adult", "answers": {"d4_hours": 7}},
            "d4_hours: expected one of yes",
        ),
        ({"id": "r1", "profile": "child", "answers": {}}, "administered_with"),
        ({"id": "r1", "profile": "elder", "answers": {}}, "profile: must be one of adult, child"),
        ({"id": "r1"}, "expected an object with an 'answers' object"),
    ],
)
def test_bad_responses_are_named_and_nothing_is_written(tmp_path, response, message):
    with pytest.raises(CommandError) as raised:
        run(tmp_path, [VIGNETTES[0], response])
    assert message in str(raised.value)
    assert not (tmp_path / "results.jsonl").exists()


def test_unknown_instrument_and_bad_file(tmp_path):
    with pytest.raises(CommandError, match="no instrument 'nope'"):
        call_command("screening", "evaluate", "--instrument", "nope", str(tmp_path / "x.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("screening", "evaluate", "--instrument", "ilo-ec-delphi-labour", str(bad))
