"""Rule packs: a bad pack fails at load naming file, rule id and reason; a clinic's own pack loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.config import Config
from auditor.errors import RuleError
from auditor.models import Block, Page
from auditor.nlp import analyse_page
from checks import caveats, claims
from checks.registry import CheckContext
from checks.rulepack import RULES_DIR, resolve_pack_files


def claim_rule(rule_id: str = "CLM901", **changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id,
        "claim_type": "miracle",
        "severity": "error",
        "title": "No miracle claims",
        "failure_title": "Claims a miracle",
        "what": "Sentences that call the treatment a miracle.",
        "rationale": "Nothing is a miracle.",
        "source": "CAP Code rule 3.1",
        "suggestion": "Describe what it does.",
        "references": ["CAP Code rule 3.1"],
        "phrases": ["miracle cure"],
        "patterns": [[{"LEMMA": "work"}, {"LOWER": "wonders"}]],
        "examples": {"fail": ["A miracle cure for thinning hair."], "pass": ["There is no miracle cure."]},
    }
    rule.update(changes)
    return rule


def caveat_rule(rule_id: str = "CAV901", **changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": "aftercare_call",
        "severity": "warning",
        "title": "Mentions the follow-up call",
        "failure_title": "Does not mention the follow-up call",
        "what": "The page says we call after treatment.",
        "rationale": "Clients should know support continues.",
        "source": "Clinic policy",
        "suggestion": "Add: we call you a few days after each session.",
        "references": ["Clinic policy"],
        "phrases": ["follow-up call"],
        "examples": {"pass": ["We make a follow-up call after each session."], "fail": ["Book today."]},
    }
    rule.update(changes)
    return rule


def write_pack(path: Path, rules: list[dict[str, Any]], kind: str = "claims", **extra: Any) -> Path:
    path.write_text(
        yaml.safe_dump({"pack": "clinic", "kind": kind, "rules": rules, **extra}, sort_keys=False),
        encoding="utf-8",
    )
    return path


def load_error(*paths: Path, kind: str = "claims") -> str:
    loader = claims.load_claim_rules if kind == "claims" else caveats.load_caveat_rules
    with pytest.raises(RuleError) as info:
        loader([str(p) for p in paths])
    return str(info.value)


def test_a_valid_custom_pack_loads_and_runs(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "clinic.yaml", [claim_rule()])
    ruleset = claims.load_claim_rules([str(pack)])
    assert [r.id for r in ruleset.rules] == ["CLM901"]
    page = analyse_page(
        Page(url="u", source_kind="text", blocks=(Block(0, "paragraph", "Our SMP works wonders.", (), "p"),))
    )
    assert [f.check_id for f in claims.evaluate(page, ruleset)] == ["CLM901"]


def test_unknown_field(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "clinic.yaml", [claim_rule(unles=["semi-permanent"])])
    message = load_error(pack)
    assert str(pack) in message and "rule CLM901" in message and "unknown field 'unles'" in message


def test_missing_field(tmp_path: Path) -> None:
    rule = claim_rule()
    del rule["source"]
    message = load_error(write_pack(tmp_path / "clinic.yaml", [rule]))
    assert "rule CLM901" in message and "missing field 'source'" in message


def test_invalid_token_pattern(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "clinic.yaml", [claim_rule(patterns=[[{"LEMMA": "work"}, {"LOWERR": "x"}]])])
    message = load_error(pack)
    assert str(pack) in message and "rule CLM901" in message
    assert "invalid token pattern patterns[0]" in message and "LOWERR" in message


def test_unquoted_yaml_no_is_explained(tmp_path: Path) -> None:
    pack = tmp_path / "clinic.yaml"
    text = yaml.safe_dump({"pack": "clinic", "kind": "claims", "rules": [claim_rule()]}, sort_keys=False)
    pack.write_text(text.replace("LOWER: wonders", "LOWER: no"), encoding="utf-8")
    message = load_error(pack)
    assert "rule CLM901" in message and "quote them" in message


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "clinic.yaml", [claim_rule(), claim_rule(phrases=["wonder cure"])])
    message = load_error(pack)
    assert str(pack) in message and "rule CLM901: duplicate rule id (earlier in this file)" in message


def test_duplicate_id_across_packs(tmp_path: Path) -> None:
    first = write_pack(tmp_path / "one.yaml", [claim_rule()])
    second = write_pack(tmp_path / "two.yaml", [claim_rule()])
    message = load_error(first, second)
    assert str(second) in message and "rule CLM901: duplicate rule id" in message and str(first) in message


def test_duplicate_of_a_built_in_rule(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "clinic.yaml", [claim_rule("CLM001")])
    with pytest.raises(RuleError, match="rule CLM001: duplicate rule id"):
        claims.load_claim_rules(["smp", str(pack)])


def test_a_rule_whose_own_fail_example_passes(tmp_path: Path) -> None:
    rule = claim_rule(
        examples={"fail": ["Our results are wonderful."], "pass": ["There is no miracle cure."]}
    )
    message = load_error(write_pack(tmp_path / "clinic.yaml", [rule]))
    assert "rule CLM901: its fail example is not flagged: “Our results are wonderful.”" in message


def test_a_rule_whose_own_pass_example_is_flagged(tmp_path: Path) -> None:
    rule = claim_rule(examples={"fail": ["A miracle cure."], "pass": ["The miracle cure you need."]})
    message = load_error(write_pack(tmp_path / "clinic.yaml", [rule]))
    assert "rule CLM901: its pass example is flagged" in message


def test_bad_id_and_bad_cue_names(tmp_path: Path) -> None:
    assert "rule XYZ001: id:" in load_error(write_pack(tmp_path / "a.yaml", [claim_rule("XYZ001")]))
    bad_cue = claim_rule(cleared_by=["negation", "sarcasm"])
    assert "rule CLM901: cleared_by.1:" in load_error(write_pack(tmp_path / "b.yaml", [bad_cue]))
    both = claim_rule(cleared_by=["hedge"], lowered_by=["hedge"])
    assert "cannot both clear and lower" in load_error(write_pack(tmp_path / "c.yaml", [both]))


def test_a_rule_must_match_something(tmp_path: Path) -> None:
    message = load_error(write_pack(tmp_path / "clinic.yaml", [claim_rule(phrases=[], patterns=[])]))
    assert "rule CLM901" in message and "at least one of `phrases` or `patterns`" in message


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    pack = tmp_path / "clinic.yaml"
    pack.write_text("pack: clinic\nkind: claims\nrules:\n  - id: [CLM901\n", encoding="utf-8")
    message = load_error(pack)
    assert str(pack) in message and "invalid YAML at line" in message


def test_wrong_kind_and_missing_file(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "caveats.yaml", [caveat_rule()], kind="caveats")
    assert "is a caveats pack, expected claims" in load_error(pack)
    assert "rule pack file not found" in load_error(tmp_path / "absent.yaml")
    with pytest.raises(RuleError, match="no claims pack file"):
        claims.load_claim_rules(["nosuchpack"])


def test_caveat_packs_are_validated_the_same_way(tmp_path: Path) -> None:
    good = write_pack(tmp_path / "good.yaml", [caveat_rule()], kind="caveats")
    assert [r.id for r in caveats.load_caveat_rules([str(good)]).rules] == ["CAV901"]
    carrying = caveat_rule(
        examples={"pass": ["We make a follow-up call."], "fail": ["A follow-up call is made."]}
    )
    message = load_error(write_pack(tmp_path / "bad.yaml", [carrying], kind="caveats"), kind="caveats")
    assert "rule CAV901: its fail example carries it" in message
    missing = caveat_rule(examples={"pass": ["We phone you afterwards."], "fail": ["Book today."]})
    message = load_error(write_pack(tmp_path / "bad2.yaml", [missing], kind="caveats"), kind="caveats")
    assert "rule CAV901: its pass example does not carry it" in message
    wrong_id = caveat_rule("CLM950")
    assert "rule CLM950: id:" in load_error(
        write_pack(tmp_path / "bad3.yaml", [wrong_id], kind="caveats"), kind="caveats"
    )


def test_named_packs_are_the_rules_directory_files_of_their_kind() -> None:
    assert [p.name for p in resolve_pack_files(["smp"], "claims")] == ["smp_claims.yaml"]
    assert [p.name for p in resolve_pack_files(["smp"], "caveats")] == ["smp_caveats.yaml"]
    assert all(p.parent == RULES_DIR for p in resolve_pack_files(["smp"], "claims"))


def test_config_names_a_clinic_pack_relative_to_the_config_file(tmp_path: Path) -> None:
    write_pack(tmp_path / "clinic_claims.yaml", [claim_rule()])
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        "checks:\n  claims:\n    rule_packs: [smp, clinic_claims.yaml]\n", encoding="utf-8"
    )
    from auditor.config import load_config

    config = load_config(config_file)
    [check] = claims.checks(config)
    ids = {r.id for r in check.rules()}
    assert {"CLM001", "CLM901"} <= ids
    page = analyse_page(
        Page(
            url="u",
            source_kind="text",
            blocks=(Block(0, "paragraph", "A miracle cure with permanent results.", (), "p"),),
        )
    )
    found = {f.check_id for f in check.check_page(page, CheckContext(config=Config()))}
    assert found == {"CLM001", "CLM901"}
