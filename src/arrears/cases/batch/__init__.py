"""The cases app's set-based work for the daily cycle, each step keyword-only
``<noun>_<verb>(*, first, last, on)`` over one partition of loans, idempotent for the date:

- ``cases_maintain`` (step ``cases``): open, update and cure cases, bucket spells;
- ``commitments_judge`` (step ``commitments``): promises kept or broken, repayment plans
  completed or broken;

and, once per date after every partition, ``cases_assign`` (分案: team routing and shares).
``work_items_add`` takes over the tasks another app planned, set-based.
"""

from arrears.cases.batch.assignment import AssignmentSummary, cases_assign
from arrears.cases.batch.commitments import commitments_judge
from arrears.cases.batch.maintain import cases_maintain
from arrears.cases.batch.plans import plans_judge
from arrears.cases.batch.promises import promises_judge
from arrears.cases.batch.work_items import WORK_ITEM_SOURCE_COLUMNS, work_items_add

__all__ = [
    "WORK_ITEM_SOURCE_COLUMNS",
    "AssignmentSummary",
    "cases_assign",
    "cases_maintain",
    "commitments_judge",
    "plans_judge",
    "promises_judge",
    "work_items_add",
]
