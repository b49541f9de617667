"""``arrears agency list [--json]``: the agencies, their contracts and active placements."""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import OutputWrapper
from django.db.models import Count, Q, Sum

from arrears.accounts.models import Agency
from arrears.agencies.commission import rate_label
from arrears.agencies.models import AgencyContract
from arrears.core.money import format_yuan


def add_to(actions: _SubParsersAction[Any]) -> None:
    """Add the ``list`` subcommand to ``arrears agency``."""
    parser = actions.add_parser(
        "list",
        help="agencies, their contracts and active placements",
        description="Each agency with its code, contracts (creditor, validity, placement"
        " length, commission rates) and its active placements (count, balance placed).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _rates(contract: AgencyContract) -> list[dict[str, Any]]:
    return [
        {"bucket": r.bucket, "from_amount": r.from_amount, "rate_bp": r.rate_bp}
        for r in contract.rates.all()
    ]


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    """Print the agencies as JSON or one block each."""
    active = Q(placements__status="active")
    agencies = Agency.objects.annotate(
        active=Count("placements", filter=active),
        balance=Sum("placements__outstanding_at_placement", filter=active),
    ).order_by("code")
    contracts: dict[int, list[AgencyContract]] = {}
    for contract in AgencyContract.objects.select_related("creditor").prefetch_related("rates"):
        contracts.setdefault(contract.agency_id, []).append(contract)
    rows = [
        {
            "code": agency.code,
            "name": agency.name,
            "active": agency.is_active,
            "active_placements": agency.active,
            "balance_placed": int(agency.balance or 0),
            "contracts": [
                {
                    "reference": c.reference,
                    "creditor": c.creditor.name,
                    "valid_from": c.valid_from.isoformat(),
                    "valid_to": c.valid_to.isoformat() if c.valid_to else None,
                    "placement_days": c.placement_days,
                    "basis": c.basis,
                    "rates": _rates(c),
                }
                for c in contracts.get(agency.pk, [])
            ],
        }
        for agency in agencies
    ]
    if options["json"]:
        stdout.write(json.dumps({"agencies": rows}, ensure_ascii=False, indent=2))
        return
    if not rows:
        stdout.write("no agencies (add one in the admin: Collection agencies)")
        return
    for row in rows:
        stdout.write(
            f"{row['code']}  {row['name']}{'' if row['active'] else ' (inactive)'}:"
            f" {row['active_placements']} active placements,"
            f" {format_yuan(row['balance_placed'])} placed"
        )
        for c in row["contracts"]:
            prices = ", ".join(
                f"{r['bucket'] or format_yuan(r['from_amount'])}+ {rate_label(r['rate_bp'])}"
                for r in c["rates"]
            )
            stdout.write(
                f"  {c['reference']}  {c['creditor']}  {c['valid_from']}–{c['valid_to'] or ''}"
                f"  {c['placement_days']} days  {c['basis']}: {prices}"
            )
