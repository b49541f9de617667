"""Strategy simulation: a playbook's versions replayed over the days the cycle closed,
without sending, planning or writing anything (``arrears strategy simulate``).

- ``stored``: the reads — the versions, the playbooks ranked before, the closed days, each
  day's open cases with their stored DPD (one statement a day), parties, plans;
- ``replay`` (pure): a version's choice of cases, their stages and the actions due;
- ``judging``: the compliance gate asked about every simulated contact, recording nothing;
- ``tally`` (pure): the totals of a version; ``costs``: the channels' unit costs;
- ``run``: ``playbook_simulate``, the whole of it; ``report``: JSON and text.

docs/strategy.md ("Strategy simulation") says what it assumes.
"""

from arrears.strategy.simulation.costs import (
    DEFAULT_CHANNEL_COSTS,
    channel_costs,
    parse_channel_costs,
)
from arrears.strategy.simulation.report import simulation_json, simulation_text
from arrears.strategy.simulation.run import Simulation, playbook_simulate

__all__ = [
    "DEFAULT_CHANNEL_COSTS",
    "Simulation",
    "channel_costs",
    "parse_channel_costs",
    "playbook_simulate",
    "simulation_json",
    "simulation_text",
]
