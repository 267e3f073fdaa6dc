# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Finite-capacity scheduling engine, in plain Python (no Odoo import).

The Odoo side (``mrp.production.action_schedule``) turns work centers, work
orders and materials into the objects below, calls :func:`schedule` and writes
the result back into Odoo's own planning fields.
"""

from .engine import (
    Job,
    Operation,
    PlanningError,
    Slot,
    Workcenter,
    WorkingTime,
    estimate_end,
    schedule,
)

__all__ = [
    "Job",
    "Operation",
    "PlanningError",
    "Slot",
    "Workcenter",
    "WorkingTime",
    "estimate_end",
    "schedule",
]
