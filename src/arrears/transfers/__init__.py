"""Assignment of debts (债权转让, debt sale): loans moved to another creditor from a date,
with the notices that make it bind the debtor (民法典 art. 546) (docs/assignment.md)."""
