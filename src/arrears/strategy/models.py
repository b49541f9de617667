"""Collection strategy: playbooks and their versions, experiments, each case's place in its
playbook, and the actions planned for cases day by day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import CollectionCase
from arrears.core.models import BaseModel
from arrears.portfolio.models import Loan, Party
from arrears.strategy.choices import ActionStatus, ActionType, Arm, EventKind, TargetRole


class Playbook(BaseModel):
    """A collection strategy for a segment of cases: stages by DPD window, each with the
    actions to take. What it says lives in its versions; ``version`` is the current one.
    When several active playbooks match a case, the highest ``priority`` wins."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    priority = models.IntegerField(_("priority"), default=0)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("current version"), default=0)

    class Meta:
        ordering = ["-priority", "name"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class PlaybookVersion(models.Model):
    """One edition of a playbook's definition (segment, stages, actions), as the canonical
    data of ``strategy.definition``. Never changed: every edit makes the next number, and
    each planned action names the version that produced it."""

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    definition = models.JSONField(_("definition"))
    note = models.CharField(_("what changed"), max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["playbook_id", "-number"]
        verbose_name = _("playbook version")
        verbose_name_plural = _("playbook versions")
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.playbook.name} v{self.number}"


class Experiment(BaseModel):
    """Champion/challenger: cases the champion playbook would take are split by a stable hash
    of the case, ``challenger_percent`` of them to the challenger playbook."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    champion = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="+")
    challenger = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="+")
    challenger_percent = models.PositiveSmallIntegerField(_("challenger share (%)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        constraints = [
            models.CheckConstraint(
                condition=Q(challenger_percent__lte=100), name="challenger_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(champion=models.F("challenger")), name="experiment_two_playbooks"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CaseStrategy(models.Model):
    """Where a case stands in its playbook: the playbook and version it follows, its stage and
    since when, its experiment arm, and whether a manager paused it or pinned its stage."""

    case = models.OneToOneField(CollectionCase, on_delete=models.CASCADE, related_name="strategy")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField(_("assigned on"))
    stage = models.CharField(_("stage"), max_length=60, blank=True, default="")
    stage_order = models.PositiveSmallIntegerField(_("stage order"), default=0)
    stage_entered_on = models.DateField(_("stage entered on"), null=True, blank=True)
    stage_pinned = models.BooleanField(
        _("stage set by a manager"),
        default=False,
        help_text=_("kept until the case's DPD reaches a later stage"),
    )
    experiment = models.ForeignKey(
        Experiment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arm = models.CharField(_("arm"), max_length=10, choices=Arm.choices, blank=True, default="")
    paused = models.BooleanField(_("paused"), default=False)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)

    class Meta:
        ordering = ["case_id"]
        verbose_name = _("case strategy")
        verbose_name_plural = _("case strategies")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class StrategyEvent(models.Model):
    """What happened to a case's strategy: assigned, stage entered, paused, resumed, moved,
    a one-off action added — with who and why for a manager's acts. Appended, never changed."""

    case = models.ForeignKey(
        CollectionCase,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (case, business_date) index serves
    )
    business_date = models.DateField(_("business date"))
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True, default="")
    reason = models.TextField(_("reason"), blank=True, default="")
    by = models.CharField(_("by"), max_length=150, blank=True, default="")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("strategy event")
        verbose_name_plural = _("strategy events")
        indexes = [models.Index(fields=["case", "business_date"], name="strategy_event_case_day")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.business_date} {self.kind}"


class OneOffAction(models.Model):
    """An action a manager added to one case for one date, outside its playbook; the plan
    step plans it on that date like any other (through the compliance gate)."""

    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(_("business date"))
    type = models.CharField(_("type"), max_length=20, choices=ActionType.choices)
    target_role = models.CharField(_("target"), max_length=20, choices=TargetRole.choices)
    title = models.CharField(_("title"), max_length=200)
    template = models.CharField(_("template"), max_length=60, blank=True, default="")
    queue = models.CharField(_("queue"), max_length=60, blank=True, default="")
    reason = models.TextField(_("reason"))
    by = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["business_date", "id"]
        verbose_name = _("one-off action")
        verbose_name_plural = _("one-off actions")
        indexes = [models.Index(fields=["business_date", "case"], name="one_off_day_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.business_date} {self.type}"


class PlannedAction(models.Model):
    """One step planned for a case on a business date: what, to whom, when, the rule that
    produced it (as a sentence users read), and where it went — queued in the outbox or a
    work queue, or blocked by the compliance gate with every reason. A journal: no
    foreign-key constraints (DESIGN.md performance notes)."""

    # Indexed by the unique (case, date, action, party) and (date, loan) indexes: a journal
    # written a hundred thousand rows a day carries no index it does not read by.
    case = models.ForeignKey(
        CollectionCase,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    business_date = models.DateField(_("business date"))
    due_at = models.DateTimeField(_("due at"))
    action = models.CharField(_("action key"), max_length=130)
    type = models.CharField(_("type"), max_length=20, choices=ActionType.choices)
    target_role = models.CharField(_("target"), max_length=20, choices=TargetRole.choices)
    channel = models.CharField(_("channel"), max_length=10, blank=True, default="")
    version = models.ForeignKey(
        PlaybookVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    stage = models.CharField(_("stage"), max_length=60, blank=True, default="")
    rule = models.CharField(_("rule"), max_length=400)
    template = models.CharField(_("template"), max_length=60, blank=True, default="")
    queue = models.CharField(_("queue"), max_length=60, blank=True, default="")
    priority = models.PositiveSmallIntegerField(_("priority"), default=50)
    arm = models.CharField(_("arm"), max_length=10, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices)
    blocked_reasons = models.JSONField(_("blocked because"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "business_date", "id"]
        verbose_name = _("planned action")
        verbose_name_plural = _("planned actions")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "business_date", "action", "party"], name="action_planned_once"
            )
        ]
        indexes = [models.Index(fields=["business_date", "loan"], name="planned_action_day_loan")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.business_date} {self.action}"
