"""The REST API under ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, docs at ``/docs``)."""

from __future__ import annotations

from ninja import NinjaAPI

from arrears.api.auth import API_AUTH
from arrears.api.cases import router as cases_router
from arrears.api.errors import install_error_handlers
from arrears.api.loans import router as loans_router
from arrears.api.outreach import router as outreach_router

api = NinjaAPI(
    title="Arrears API",
    version="1",
    description="Loan-collection management: portfolio, cases, actions. Amounts in yuan strings.",
    auth=API_AUTH,
    urls_namespace="api-v1",
)
install_error_handlers(api)
api.add_router("/cases", cases_router)
api.add_router("/loans", loans_router)
api.add_router("/outreach", outreach_router)
