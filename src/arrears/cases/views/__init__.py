"""Web pages of the collector workbench: the queue and case page (``workbench``), plans,
settlements and approvals (``plans``), the team view (``team``)."""
