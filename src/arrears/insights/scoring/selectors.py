"""Reading the scores and the model versions (for ``arrears case``, ``arrears score list``
and the pages). Without scikit-learn: the training module imports it (about a second of
every command's start that reads a score, as ``arrears case`` does)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.insights.models import CaseScore, ScoreModel

# What each feature means, for the reasons shown to people.
FEATURE_LABELS = {
    "dpd": gettext_lazy("days past due"),
    "overdue_log": gettext_lazy("amount overdue"),
    "outstanding_log": gettext_lazy("principal outstanding"),
    "overdue_share": gettext_lazy("overdue share of the balance"),
    "months_on_book": gettext_lazy("months since disbursement"),
    "days_since_payment": gettext_lazy("days since the last payment"),
    "payments_90d": gettext_lazy("payments in the last 90 days"),
    "paid_90d_share": gettext_lazy("paid in the last 90 days against the overdue amount"),
    "promises_kept": gettext_lazy("promises kept"),
    "promises_broken": gettext_lazy("promises broken"),
    "promise_open": gettext_lazy("an open promise to pay"),
    "contacts_90d": gettext_lazy("contacts in the last 90 days"),
    "right_party_90d": gettext_lazy("borrower reached in the last 90 days"),
    "negative_90d": gettext_lazy("refusals, disputes or bad numbers in the last 90 days"),
}
CATEGORY_LABELS = {"product": gettext_lazy("product"), "segment": gettext_lazy("segment")}


def feature_label(feature: str) -> str:
    """A feature's name in the reader's language (``product:CONSUMER`` → "product
    CONSUMER")."""
    if feature in FEATURE_LABELS:
        return str(FEATURE_LABELS[feature])
    kind, _sep, value = feature.partition(":")
    return f"{CATEGORY_LABELS.get(kind, kind)} {value}"


def reasons_shown(reasons: list[Any]) -> list[dict[str, Any]]:
    """Stored reasons (``[feature, effect]`` pairs) as ``{"feature", "label", "effect",
    "direction"}`` — ``up`` raises the chance to pay, ``down`` lowers it."""
    return [
        {
            "feature": feature,
            "label": feature_label(feature),
            "effect": effect,
            "direction": "up" if effect > 0 else "down",
        }
        for feature, effect in reasons
    ]


def case_score(case_id: int) -> dict[str, Any] | None:
    """The case's latest score as ``{"value", "grade", "reasons", "model", "scored_on"}``,
    or None when it was never scored (no model yet, or the case is closed)."""
    row = CaseScore.objects.filter(case_id=case_id).first()
    if row is None:
        return None
    return {
        "value": row.value,
        "grade": row.grade,
        "reasons": reasons_shown(row.reasons),
        "model": row.model_version,
        "scored_on": row.scored_on.isoformat(),
    }


def model_summary(model: ScoreModel) -> dict[str, Any]:
    """A version as ``arrears score`` prints it (the train command's JSON contract:
    ``model``, ``trained_on``, ``cases``, ``auc``, ``features``, plus ``auc_dpd``)."""
    metrics = dict(model.metrics)
    return {
        "model": model.version,
        "trained_on": model.trained_on.isoformat(),
        "as_of": model.as_of.isoformat(),
        "active": model.active,
        "cases": metrics.get("cases", 0),
        "auc": metrics.get("auc"),
        "auc_dpd": metrics.get("auc_dpd"),
        "features": list(model.features),
        "metrics": metrics,
    }


def models_list() -> list[dict[str, Any]]:
    """Every model version, newest first, with its metrics and whether it is active."""
    return [model_summary(model) for model in ScoreModel.objects.order_by("-version")]


def score_status_line(summary: dict[str, Any]) -> str:
    """One line per version for ``arrears score list`` (``*`` marks the active one)."""
    return _(
        "%(mark)s v%(model)s as of %(as_of)s (trained %(trained_on)s): AUC %(auc)s,"
        " DPD alone %(auc_dpd)s, %(cases)s cases"
    ) % {**summary, "mark": "*" if summary["active"] else " "}
