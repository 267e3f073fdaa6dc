from odoo import fields, models


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    parallel_units = fields.Integer(
        string="Parallel Work Orders",
        default=1,
        help="How many work orders this work center runs at the same time "
        "(identical machines or teams). Used by Schedule Production.",
    )

    _sql_constraints = [
        (
            "parallel_units_positive",
            "CHECK(parallel_units >= 1)",
            "A work center runs at least one work order at a time.",
        )
    ]
