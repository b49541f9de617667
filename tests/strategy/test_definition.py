"""The playbook definition format: shipped files, validation messages, timing and sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arrears import strategy
from arrears.strategy import definition
from arrears.strategy.definition import (
    ActionRule,
    DefinitionError,
    PlaybookDefinition,
    Segment,
    dump_yaml,
    is_due,
    load_yaml,
    parse,
    rule_sentence,
    stage_for,
    to_data,
)

PLAYBOOKS = Path(strategy.__file__).resolve().parent / "data" / "playbooks"
SHIPPED = ("consumer-loan", "guaranteed-loan", "credit-card")


def shipped(name: str) -> PlaybookDefinition:
    return load_yaml((PLAYBOOKS / f"{name}.yaml").read_text(encoding="utf-8"))


def action(**overrides: Any) -> dict[str, Any]:
    base = {"name": "call", "title": "电话", "type": "call", "target": "borrower", "on_day": 1}
    return base | overrides


def playbook(*stages: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    default_stage = {"name": "early", "title": "早期", "from_dpd": 1, "to_dpd": 30, "actions": []}
    return {"name": "test", "title": "测试", "stages": list(stages) or [default_stage]} | overrides


def stage(name: str, from_dpd: int, to_dpd: int | None, *actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "title": name,
        "from_dpd": from_dpd,
        "to_dpd": to_dpd,
        "actions": list(actions),
    }


def errors_of(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(data)
    return caught.value.errors


def rule(**overrides: Any) -> ActionRule:
    fields: dict[str, Any] = {"name": "r", "title": "r", "type": "call", "target": "borrower"}
    return ActionRule(**(fields | overrides))


# ---------------------------------------------------------------------- shipped playbooks


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_playbook_loads_and_exports_to_its_file_byte_for_byte(name: str) -> None:
    text = (PLAYBOOKS / f"{name}.yaml").read_text(encoding="utf-8")

    defn = load_yaml(text)

    assert defn.name == name
    assert dump_yaml(defn) == text


def test_the_consumer_loan_playbook_is_the_catch_all_with_the_lowest_priority() -> None:
    playbooks = [shipped(name) for name in SHIPPED]
    consumer = shipped("consumer-loan")

    assert consumer.segment == Segment()
    assert consumer.priority == min(p.priority for p in playbooks)


def test_guaranteed_loan_plans_the_first_eight_days_exactly_as_the_guarantor_works() -> None:
    first = shipped("guaranteed-loan").stages[0]
    borrower_call, borrower_visit = ("call", "borrower"), ("visit", "borrower")
    counter_call = ("call", "counter_guarantor")
    expected: dict[int, set[tuple[str, str]]] = {
        1: {borrower_visit, borrower_call},
        2: {borrower_call},
        3: {borrower_call},
        4: {borrower_visit, counter_call},
        5: set(),
        6: set(),
        7: {("overdue_notice", "borrower")},
        8: {borrower_call, counter_call},
    }

    planned = {
        dpd: {
            (r.type, r.target)
            for r in first.actions
            if is_due(r, dpd=dpd, stage_day=dpd - first.from_dpd + 1)
        }
        for dpd in range(1, 9)
    }

    assert planned == expected


def test_guaranteed_loan_keeps_calling_daily_and_the_counter_guarantor_weekly_after_day_8() -> None:
    first = shipped("guaranteed-loan").stages[0]
    due_on = {
        r.name: [dpd for dpd in range(8, 23) if is_due(r, dpd=dpd, stage_day=dpd)]
        for r in first.actions
    }

    assert due_on["call-daily-after-notice"] == list(range(8, 23))
    assert due_on["counter-guarantor-pay"] == [8, 15, 22]


def test_a_consumer_loan_45_days_past_due_is_in_the_escalate_stage() -> None:
    found = stage_for(shipped("consumer-loan"), 45)

    assert found is not None
    assert found.name == "escalate"


def test_stage_for_finds_the_open_ended_last_stage_and_nothing_before_day_one() -> None:
    consumer = shipped("consumer-loan")
    last = stage_for(consumer, 10_000)

    assert last is not None and last.name == "legal"
    assert stage_for(consumer, 0) is None


def test_the_counter_guarantor_rule_reads_as_day_4_of_the_guaranteed_loan_playbook() -> None:
    defn = shipped("guaranteed-loan")
    first = defn.stages[0]
    press = next(r for r in first.actions if r.name == "counter-guarantor-press")

    assert rule_sentence("担保贷款", 3, first, press) == f"担保贷款 v3 › 第4天 › {press.title}"


def test_repeating_rules_read_as_from_day_n_every_k_days() -> None:
    defn = shipped("guaranteed-loan")
    first, legal = defn.stages
    daily = next(r for r in first.actions if r.name == "call-daily-after-notice")
    weekly = next(r for r in legal.actions if r.name == "call-weekly")

    assert (
        rule_sentence("担保贷款", 3, first, daily) == f"担保贷款 v3 › 第8天起每天 › {daily.title}"
    )
    assert (
        rule_sentence("担保贷款", 3, legal, weekly)
        == f"担保贷款 v3 › 司法程序 第1天起每7天 › {weekly.title}"
    )


# ---------------------------------------------------------------------- round trip

EVERY_KEY: dict[str, Any] = {
    "name": "full",
    "title": "全量",
    "description": "用到每个可选键",
    "priority": 7,
    "segment": {
        "creditors": ["测试小贷", "另一家"],
        "products": ["p1"],
        "guarantee_types": ["mortgage", "pledge"],
        "branches": ["北京"],
        "classifications": ["substandard"],
        "amount_min": "1000.00",
        "amount_max": "50000.50",
    },
    "stages": [
        {
            "name": "early",
            "title": "早期",
            "from_dpd": 1,
            "to_dpd": 30,
            "actions": [
                {
                    "name": "sms",
                    "title": "短信",
                    "type": "sms",
                    "target": "co_borrower",
                    "at_dpd": 2,
                    "every": 2,
                    "until_dpd": 10,
                    "time": "10:30",
                    "template": "reminder",
                    "priority": 80,
                },
                {
                    "name": "call",
                    "title": "电话",
                    "type": "call",
                    "target": "guarantor",
                    "on_day": 3,
                    "every": 4,
                    "until_day": 20,
                    "time": "18:05",
                    "queue": "collectors",
                    "priority": 0,
                },
            ],
        },
        {"name": "late", "title": "晚期", "from_dpd": 31, "to_dpd": None, "actions": []},
    ],
}


def test_a_definition_using_every_optional_key_round_trips_exactly() -> None:
    defn = parse(EVERY_KEY)
    text = dump_yaml(defn)

    assert to_data(defn) == EVERY_KEY
    assert parse(to_data(defn)) == defn
    assert load_yaml(text) == defn
    assert dump_yaml(load_yaml(text)) == text
    assert defn.segment.amount_min_fen == 100_000
    assert defn.segment.amount_max_fen == 5_000_050


def test_export_leaves_out_defaults_but_keeps_an_open_ended_stage_visible() -> None:
    data = to_data(parse(playbook(stage("only", 1, None, action()))))

    assert list(data) == ["name", "title", "stages"]
    assert data["stages"][0]["to_dpd"] is None
    assert data["stages"][0]["actions"] == [action()]
    assert "to_dpd: null" in dump_yaml(parse(data))


def test_export_writes_amounts_as_yuan_with_two_decimals() -> None:
    data = to_data(parse(playbook(segment={"amount_min": "5", "amount_max": "12.5"})))

    assert data["segment"] == {"amount_min": "5.00", "amount_max": "12.50"}


def test_an_empty_segment_means_any_case_and_is_not_exported() -> None:
    defn = parse(playbook(segment={"creditors": [], "amount_min": None}))

    assert defn.segment == Segment()
    assert "segment" not in to_data(defn)


# ---------------------------------------------------------------------- validation


def test_every_mistake_is_reported_at_once_with_its_path() -> None:
    errors = errors_of(
        playbook(
            stage("early", 1, 30, action(type="fax"), action(name="Bad Name", on_day=0)),
            name="Not A Slug",
            priority="high",
        )
    )

    assert len(errors) >= 4
    assert any(e.startswith("name: 'Not A Slug' is not a slug") for e in errors)
    assert "priority: expected a whole number, got a string" in errors
    assert any(e.startswith("stages[0].actions[0].type: unknown action type 'fax'") for e in errors)
    assert any(e.startswith("stages[0].actions[1].name:") for e in errors)
    assert "stages[0].actions[1].on_day: must be >= 1, got 0" in errors


def test_the_error_message_lists_every_problem_and_the_valid_action_types() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse(playbook(stage("early", 1, 30, action(type="fax")), title=""))

    message = str(caught.value)
    assert message.startswith("2 problems in playbook definition:")
    assert "title: must not be empty" in message
    assert "(expected one of: sms, email, call, visit, letter," in message


def test_a_definition_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse([])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (playbook(colour="red"), "colour: unknown key (expected one of: name, title,"),
        (playbook(segment={"region": "x"}), "segment.region: unknown key"),
        (playbook(stage("a", 1, 30, action(colour="red"))), "stages[0].actions[0].colour:"),
        (
            playbook({**stage("a", 1, 30), "days": 3}),
            "stages[0].days: unknown key (expected one of: name, title, from_dpd, to_dpd, actions)",
        ),
    ],
)
def test_unknown_keys_are_named_by_their_path(data: dict[str, Any], expected: str) -> None:
    assert any(e.startswith(expected) for e in errors_of(data))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("just text", "playbook: expected a mapping, got a string"),
        (None, "playbook: expected a mapping, got null"),
        (playbook(stages={"a": 1}), "stages: expected a list, got a mapping"),
        (playbook(stages=[]), "stages: at least one stage is required"),
        (playbook(segment=["x"]), "segment: expected a mapping, got a list"),
        (playbook(segment={"creditors": "测试小贷"}), "segment.creditors: expected a list"),
        (playbook(stage("a", True, 30)), "stages[0].from_dpd: expected a whole number, got true"),
        (playbook(stage("a", 1, 30, action(every=1.5))), "stages[0].actions[0].every: expected"),
        (playbook(stage("a", 1, 30, action(title=3))), "stages[0].actions[0].title: expected a"),
        (playbook(stage("a", 1, 30, action(priority=101))), "stages[0].actions[0].priority: must"),
        (playbook(stage("a", 1, 30, action(target="uncle"))), "stages[0].actions[0].target: un"),
        (playbook(segment={"classifications": ["bad"]}), "segment.classifications[0]: unknown"),
    ],
)
def test_wrong_types_and_values_are_errors(data: object, expected: str) -> None:
    assert any(e.startswith(expected) for e in errors_of(data))


def test_a_time_yaml_read_as_a_number_explains_how_to_quote_it() -> None:
    text = """\
name: test
title: 测试
stages:
- name: early
  title: 早期
  from_dpd: 1
  to_dpd: 30
  actions:
  - {name: c, title: c, type: call, target: borrower, on_day: 1, time: 10:30}
"""

    with pytest.raises(DefinitionError) as caught:
        load_yaml(text)

    (error,) = caught.value.errors
    assert error.startswith("stages[0].actions[0].time:")
    assert '"10:30"' in error


def test_overlapping_stages_are_rejected_with_both_names() -> None:
    errors = errors_of(playbook(stage("early", 1, 30), stage("middle", 30, 60)))

    assert errors == ["stages[1]: stage 'middle' (DPD 30–60) overlaps stage 'early' (DPD 1–30)"]


def test_stages_listed_out_of_dpd_order_are_rejected() -> None:
    errors = errors_of(playbook(stage("late", 31, 60), stage("early", 1, 30)))

    assert errors == [
        "stages[1].from_dpd: stage 'early' (from DPD 1) is listed after stage 'late' "
        "(from DPD 31); list stages in ascending from_dpd order"
    ]


def test_only_the_last_stage_may_be_open_ended() -> None:
    errors = errors_of(playbook(stage("early", 1, None), stage("late", 31, 60)))

    assert errors[0].startswith("stages[0].to_dpd: only the last stage may be open-ended")


def test_stage_window_mistakes_are_reported_even_when_the_stage_has_other_mistakes() -> None:
    errors = errors_of(
        playbook(stage("early", 1, None, action(type="fax")), stage("late", 20, 40)),
    )

    assert len(errors) == 3
    assert errors[0].startswith("stages[0].actions[0].type: unknown action type 'fax'")
    assert errors[1].startswith("stages[0].to_dpd: only the last stage may be open-ended")
    assert errors[2] == "stages[1]: stage 'late' (DPD 20–40) overlaps stage 'early' (DPD 1+)"


def test_a_stage_ending_before_it_starts_is_rejected() -> None:
    assert errors_of(playbook(stage("a", 30, 10))) == [
        "stages[0].to_dpd: must be >= from_dpd (30), got 10"
    ]


def test_stage_and_action_names_must_be_unique() -> None:
    errors = errors_of(
        playbook(stage("a", 1, 30, action(), action()), stage("a", 31, None)),
    )

    assert "stages[0].actions[1].name: 'call' is already used by actions[0] in this stage" in errors
    assert "stages[1].name: 'a' is already used by stages[0]" in errors


def test_a_template_on_a_task_is_rejected() -> None:
    (error,) = errors_of(playbook(stage("a", 1, 30, action(template="reminder"))))

    assert error.startswith("stages[0].actions[0].template: only message types take a template")


def test_a_queue_on_a_message_is_rejected() -> None:
    (error,) = errors_of(playbook(stage("a", 1, 30, action(type="sms", queue="collectors"))))

    assert error.startswith("stages[0].actions[0].queue: only task types go to a queue")


def test_an_empty_template_is_allowed_on_a_message_and_an_empty_queue_on_a_task() -> None:
    defn = parse(playbook(stage("a", 1, 30, action(type="sms", template=""), action(name="b"))))

    assert [r.template for r in defn.stages[0].actions] == ["", ""]


def test_until_without_every_is_rejected() -> None:
    errors = errors_of(playbook(stage("a", 1, 30, action(until_day=5))))

    assert errors == [
        "stages[0].actions[0].until_day: only makes sense with every (a repeating rule)"
    ]


def test_until_must_match_the_rules_basis_and_not_end_before_it_starts() -> None:
    errors = errors_of(
        playbook(
            stage(
                "a",
                1,
                30,
                action(name="x", every=1, until_dpd=5),
                action(name="y", on_day=None, at_dpd=9, every=1, until_dpd=8),
            )
        )
    )

    assert errors == [
        "stages[0].actions[0].until_dpd: only allowed together with at_dpd",
        "stages[0].actions[1].until_dpd: must be >= at_dpd (9), got 8",
    ]


@pytest.mark.parametrize(
    ("timing", "expected"),
    [
        ({"on_day": None}, "neither"),
        ({"on_day": 1, "at_dpd": 1}, "both"),
    ],
)
def test_a_rule_needs_exactly_one_of_at_dpd_and_on_day(
    timing: dict[str, Any], expected: str
) -> None:
    (error,) = errors_of(playbook(stage("a", 1, 30, action(**timing))))

    assert error == f"stages[0].actions[0]: needs exactly one of at_dpd / on_day, got {expected}"


def test_an_at_dpd_outside_the_stage_window_is_rejected_because_it_would_never_fire() -> None:
    (error,) = errors_of(playbook(stage("a", 1, 30, action(on_day=None, at_dpd=31))))

    assert error.startswith("stages[0].actions[0].at_dpd: DPD 31 lies outside the stage (DPD 1–30)")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("12.345", "'12.345' has more than two decimals"),
        ("-1", "'-1' must be >= 0"),
        ("abc", "'abc' is not an amount in yuan"),
        (1000.5, 'expected an amount in yuan as a quoted string such as "1000.00"'),
    ],
)
def test_bad_segment_amounts_are_rejected(amount: object, expected: str) -> None:
    (error,) = errors_of(playbook(segment={"amount_min": amount}))

    assert error.startswith(f"segment.amount_min: {expected}")


def test_amount_min_above_amount_max_is_rejected() -> None:
    errors = errors_of(playbook(segment={"amount_min": "100", "amount_max": "99.99"}))

    assert errors == ["segment.amount_max: 99.99 is below amount_min 100.00"]


def test_a_yaml_syntax_error_names_its_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_yaml("name: x\ntitle: [unclosed\nstages: []\n")

    (error,) = caught.value.errors
    assert error.startswith("line ")
    assert "YAML syntax error" in error


# ---------------------------------------------------------------------- timing


def test_a_one_off_rule_is_due_on_its_day_only() -> None:
    once = rule(at_dpd=4)

    assert [d for d in range(1, 10) if is_due(once, dpd=d, stage_day=1)] == [4]


def test_nothing_is_due_before_the_start_day() -> None:
    daily = rule(on_day=3, every=1)

    assert not is_due(daily, dpd=50, stage_day=2)
    assert is_due(daily, dpd=50, stage_day=3)


def test_a_repeating_rule_fires_every_n_days_from_its_start() -> None:
    every_three = rule(on_day=2, every=3)

    assert [d for d in range(1, 15) if is_due(every_three, dpd=99, stage_day=d)] == [
        2,
        5,
        8,
        11,
        14,
    ]


def test_until_is_inclusive_and_nothing_fires_after_it() -> None:
    bounded = rule(at_dpd=1, every=2, until_dpd=5)

    assert [d for d in range(1, 12) if is_due(bounded, dpd=d, stage_day=1)] == [1, 3, 5]
    assert not is_due(rule(at_dpd=1, every=2, until_dpd=4), dpd=5, stage_day=1)


def test_a_dpd_rule_ignores_the_stage_day_and_a_day_rule_ignores_the_dpd() -> None:
    by_dpd = rule(at_dpd=7)
    by_day = rule(on_day=7)

    assert is_due(by_dpd, dpd=7, stage_day=1)
    assert not is_due(by_dpd, dpd=8, stage_day=7)
    assert is_due(by_day, dpd=1, stage_day=7)
    assert not is_due(by_day, dpd=7, stage_day=1)


def test_each_action_type_has_a_channel_and_is_either_a_message_or_a_task() -> None:
    assert set(definition.CHANNEL_OF) == set(definition.ACTION_TYPES)
    assert set(definition.ACTION_TYPES) == {*definition.MESSAGE_TYPES, *definition.TASK_TYPES}
    assert set(definition.MESSAGE_TYPES).isdisjoint(definition.TASK_TYPES)
    assert rule(type="overdue_notice", at_dpd=1).channel == "letter"
    assert rule(type="review", at_dpd=1).channel is None
    assert rule(type="sms", at_dpd=1).is_message
