"""Collection cases and the work on them: assignment, activities, promises, plans, waivers."""

from arrears.cases.models.activities import Activity
from arrears.cases.models.assignment import CaseAssignment
from arrears.cases.models.cases import CaseBucketSpell, CollectionCase, WorkItem
from arrears.cases.models.plans import AuthorityLimit, PlanInstallment, RepaymentPlan
from arrears.cases.models.promises import Promise
from arrears.cases.models.settlements import Settlement
from arrears.cases.models.writeoffs import WriteOffEvidence, WriteOffProposal, WriteOffStatus

__all__ = [
    "Activity",
    "AuthorityLimit",
    "CaseAssignment",
    "CaseBucketSpell",
    "CollectionCase",
    "PlanInstallment",
    "Promise",
    "RepaymentPlan",
    "Settlement",
    "WorkItem",
    "WriteOffEvidence",
    "WriteOffProposal",
    "WriteOffStatus",
]
