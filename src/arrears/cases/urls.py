"""URL map of the collector workbench; each view module lists its own paths."""

from __future__ import annotations

from arrears.cases.views import plans, team, workbench

app_name = "cases"
urlpatterns = [*workbench.urlpatterns, *plans.urlpatterns, *team.urlpatterns]
