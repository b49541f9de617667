"""URL map of the people's pages; each view module lists its own paths."""

from __future__ import annotations

from arrears.workbench.views import (
    agencies,
    cases,
    closing,
    field,
    guarantee,
    insights,
    legal,
    legal_files,
    pages,
    payments,
    plans,
    quality,
    team,
)

app_name = "workbench"
urlpatterns = [
    *pages.urlpatterns,
    *cases.urlpatterns,
    *plans.urlpatterns,
    *team.urlpatterns,
    *legal.urlpatterns,
    *legal_files.urlpatterns,
    *payments.urlpatterns,
    *insights.urlpatterns,
    *guarantee.urlpatterns,
    *field.urlpatterns,
    *agencies.urlpatterns,
    *closing.urlpatterns,
    *quality.urlpatterns,
]
