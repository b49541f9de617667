"""Reading a playbook definition: the sections (playbook, segment, stages, actions) built
from checked fields, the checks that span fields (stage windows, rule timing), and the
entry points ``parse`` (plain data) and ``load_yaml`` (YAML text).

Every problem is collected, each prefixed with its path, so a file can be fixed in one pass.

Pure module: no Django import.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import yaml

from arrears.core.money import format_yuan
from arrears.strategy.definition.fields import MISSING, FieldReader, describe, join_path
from arrears.strategy.definition.model import (
    ActionRule,
    DefinitionError,
    PlaybookDefinition,
    Segment,
    Stage,
)
from arrears.strategy.definition.vocabulary import (
    ACTION_KEYS,
    ACTION_TYPES,
    CONDITIONS,
    DEFAULT_ACTION_PRIORITY,
    MESSAGE_TYPES,
    PLAYBOOK_KEYS,
    SEGMENT_KEYS,
    SEGMENT_LIST_KEYS,
    STAGE_KEYS,
    TARGET_ROLES,
    TASK_TYPES,
)


def _window(from_dpd: int, to_dpd: int | None) -> str:
    return f"DPD {from_dpd}+" if to_dpd is None else f"DPD {from_dpd}–{to_dpd}"


class PlaybookReader(FieldReader):
    """Reads one whole definition, section by section."""

    def playbook(self, value: object) -> PlaybookDefinition | None:
        data = self.mapping(value, "", PLAYBOOK_KEYS)
        if data is None:
            return None
        name = self.slug(data, "name", "")
        title = self.string(data, "title", "", required=True)
        description = self.string(data, "description", "")
        priority = self.integer(data, "priority", "", default=0)
        segment = self.segment(data.get("segment"))
        stages = self.stages(data.get("stages", MISSING))
        if (
            name is None
            or title is None
            or description is None
            or priority is None
            or segment is None
            or stages is None
        ):
            return None
        return PlaybookDefinition(
            name=name,
            title=title,
            description=description,
            priority=priority,
            segment=segment,
            stages=stages,
        )

    def segment(self, value: object) -> Segment | None:
        if value is None:
            return Segment()
        data = self.mapping(value, "segment", SEGMENT_KEYS)
        if data is None:
            return None
        errors_before = len(self.errors)
        lists = {key: self.names(data, key, "segment") for key in SEGMENT_LIST_KEYS}
        amount_min = self.amount(data, "amount_min", "segment")
        amount_max = self.amount(data, "amount_max", "segment")
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            self.error(
                "segment.amount_max",
                f"{format_yuan(amount_max)} is below amount_min {format_yuan(amount_min)}",
            )
        if len(self.errors) > errors_before:
            return None
        return Segment(
            creditors=lists["creditors"] or (),
            products=lists["products"] or (),
            guarantee_types=lists["guarantee_types"] or (),
            branches=lists["branches"] or (),
            classifications=lists["classifications"] or (),
            amount_min_fen=amount_min,
            amount_max_fen=amount_max,
        )

    def stages(self, value: object) -> tuple[Stage, ...] | None:
        if value is MISSING or value is None:
            self.error("stages", "required (at least one stage)")
            return None
        if not isinstance(value, list):
            self.error("stages", f"expected a list, got {describe(value)}")
            return None
        if not value:
            self.error("stages", "at least one stage is required")
            return None
        read = [self.stage(item, f"stages[{index}]") for index, item in enumerate(value)]
        parsed = [stage for stage, _ in read]
        self.check_stage_names(value)
        # Windows are checked even for stages with other mistakes, so one pass shows all.
        self.check_windows([window for _, window in read])
        if any(stage is None for stage in parsed):
            return None
        return tuple(stage for stage in parsed if stage is not None)

    def check_stage_names(self, items: list[Any]) -> None:
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.error(
                    f"stages[{index}].name", f"'{name}' is already used by stages[{seen[name]}]"
                )
            else:
                seen[name] = index

    def check_windows(self, stages: list[Stage | None]) -> None:
        """Order, overlap and open ends of the stage windows (``None``: window unreadable)."""
        placed = [(index, stage) for index, stage in enumerate(stages) if stage is not None]
        last = len(stages) - 1
        for (_, before), (index, stage) in pairwise(placed):
            if stage.from_dpd < before.from_dpd:
                self.error(
                    f"stages[{index}].from_dpd",
                    f"stage '{stage.name}' (from DPD {stage.from_dpd}) is listed after stage "
                    f"'{before.name}' (from DPD {before.from_dpd}); list stages in ascending "
                    "from_dpd order",
                )
        for index, stage in placed:
            if stage.to_dpd is None and index != last:
                self.error(
                    f"stages[{index}].to_dpd",
                    f"only the last stage may be open-ended (to_dpd: null); stage "
                    f"'{stage.name}' is not the last",
                )
        for position, (index, stage) in enumerate(placed):
            for _, other in placed[:position]:
                if _overlap(stage, other):
                    self.error(
                        f"stages[{index}]",
                        f"stage '{stage.name}' ({_window(stage.from_dpd, stage.to_dpd)}) "
                        f"overlaps stage '{other.name}' ({_window(other.from_dpd, other.to_dpd)})",
                    )

    def stage(self, value: object, path: str) -> tuple[Stage | None, Stage | None]:
        """The stage if valid, and a bare stage holding just its window if that is readable."""
        data = self.mapping(value, path, STAGE_KEYS)
        if data is None:
            return None, None
        name = self.slug(data, "name", path)
        title = self.string(data, "title", path, required=True)
        from_dpd = self.integer(data, "from_dpd", path, default=None, minimum=1)
        if "from_dpd" not in data or data["from_dpd"] is None:
            self.error(join_path(path, "from_dpd"), "required")
        to_dpd = self.integer(data, "to_dpd", path, default=None, minimum=1)
        to_ok = data.get("to_dpd") is None or to_dpd is not None
        if from_dpd is not None and to_dpd is not None and to_dpd < from_dpd:
            self.error(join_path(path, "to_dpd"), f"must be >= from_dpd ({from_dpd}), got {to_dpd}")
            to_ok = False
        window = (from_dpd, to_dpd) if from_dpd is not None and to_ok else None
        actions = self.actions(data.get("actions"), path, window)
        shell = None
        if from_dpd is not None and to_ok:
            raw_name = data.get("name")
            label = raw_name if isinstance(raw_name, str) else path
            shell = Stage(name=label, title="", from_dpd=from_dpd, to_dpd=to_dpd)
        if name is None or title is None or from_dpd is None or not to_ok or actions is None:
            return None, shell
        stage = Stage(name=name, title=title, from_dpd=from_dpd, to_dpd=to_dpd, actions=actions)
        return stage, shell

    def actions(
        self, value: object, path: str, window: tuple[int, int | None] | None
    ) -> tuple[ActionRule, ...] | None:
        if value is None:
            return ()
        where = join_path(path, "actions")
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {describe(value)}")
            return None
        parsed = [
            self.action(item, f"{where}[{index}]", window) for index, item in enumerate(value)
        ]
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.error(
                    f"{where}[{index}].name",
                    f"'{name}' is already used by actions[{seen[name]}] in this stage",
                )
            else:
                seen[name] = index
        if any(rule is None for rule in parsed):
            return None
        return tuple(rule for rule in parsed if rule is not None)

    def action(
        self, value: object, path: str, window: tuple[int, int | None] | None
    ) -> ActionRule | None:
        data = self.mapping(value, path, ACTION_KEYS)
        if data is None:
            return None
        errors_before = len(self.errors)
        name = self.slug(data, "name", path)
        title = self.string(data, "title", path, required=True)
        kind = self.choice(data, "type", path, "action type", ACTION_TYPES)
        target = self.choice(data, "target", path, "target", TARGET_ROLES)
        at_dpd = self.integer(data, "at_dpd", path, default=None, minimum=1)
        on_day = self.integer(data, "on_day", path, default=None, minimum=1)
        every = self.integer(data, "every", path, default=None, minimum=1)
        until_dpd = self.integer(data, "until_dpd", path, default=None, minimum=1)
        until_day = self.integer(data, "until_day", path, default=None, minimum=1)
        when = (
            self.choice(data, "when", path, "condition", CONDITIONS)
            if data.get("when") is not None
            else ""
        )
        time = self.time(data, "time", path)
        template = self.string(data, "template", path)
        queue = self.string(data, "queue", path)
        priority = self.integer(
            data, "priority", path, default=DEFAULT_ACTION_PRIORITY, minimum=0, maximum=100
        )

        given = {key for key in ("at_dpd", "on_day") if data.get(key) is not None}
        if not given:
            self.error(path, "needs exactly one of at_dpd / on_day, got neither")
        elif len(given) == 2:
            self.error(path, "needs exactly one of at_dpd / on_day, got both")
        if at_dpd is not None and window is not None and "on_day" not in given:
            low, high = window
            if at_dpd < low or (high is not None and at_dpd > high):
                self.error(
                    join_path(path, "at_dpd"),
                    f"DPD {at_dpd} lies outside the stage ({_window(low, high)}), "
                    "so the rule would never fire",
                )
        for key, start_key, start in (
            ("until_dpd", "at_dpd", at_dpd),
            ("until_day", "on_day", on_day),
        ):
            if data.get(key) is None:
                continue
            if data.get("every") is None:
                self.error(join_path(path, key), "only makes sense with every (a repeating rule)")
            if data.get(start_key) is None:
                self.error(join_path(path, key), f"only allowed together with {start_key}")
            until = until_dpd if key == "until_dpd" else until_day
            if start is not None and until is not None and until < start:
                self.error(join_path(path, key), f"must be >= {start_key} ({start}), got {until}")
        if template and kind in TASK_TYPES:
            self.error(
                join_path(path, "template"),
                f"only message types take a template; '{kind}' is a task "
                f"(message types: {', '.join(MESSAGE_TYPES)})",
            )
        if queue and kind in MESSAGE_TYPES:
            self.error(
                join_path(path, "queue"),
                f"only task types go to a queue; '{kind}' is a message "
                f"(task types: {', '.join(TASK_TYPES)})",
            )

        if (
            len(self.errors) > errors_before
            or name is None
            or title is None
            or kind is None
            or target is None
            or when is None
            or time is None
            or template is None
            or queue is None
            or priority is None
        ):
            return None
        return ActionRule(
            name=name,
            title=title,
            type=kind,
            target=target,
            at_dpd=at_dpd,
            on_day=on_day,
            every=every,
            until_dpd=until_dpd,
            until_day=until_day,
            when=when,
            time=time,
            template=template,
            queue=queue,
            priority=priority,
        )


def _overlap(a: Stage, b: Stage) -> bool:
    a_reaches_b = a.to_dpd is None or a.to_dpd >= b.from_dpd
    b_reaches_a = b.to_dpd is None or b.to_dpd >= a.from_dpd
    return a_reaches_b and b_reaches_a


def parse(data: object) -> PlaybookDefinition:
    """Validate a playbook given as plain data (e.g. loaded YAML) and build its definition.

    Raises ``DefinitionError`` listing every problem found, each prefixed with its path
    (``stages[1].actions[0].type: ...``), so a file can be fixed in one pass.
    """
    reader = PlaybookReader()
    definition = reader.playbook(data)
    if reader.errors or definition is None:
        raise DefinitionError(reader.errors or ["playbook: could not be read"])
    return definition


def load_yaml(text: str) -> PlaybookDefinition:
    """Parse a playbook from YAML text; syntax errors are reported with their line."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "yaml"
        problem = exc.problem or exc.context or "invalid YAML"
        raise DefinitionError([f"{where}: YAML syntax error: {problem}"]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([f"yaml: YAML syntax error: {exc}"]) from exc
    return parse(data)
