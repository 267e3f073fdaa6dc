from odoo import fields, models

from .sale_rma import EXCHANGE_POLICIES, REFUND_TIMINGS


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_review_allow_self_approval = fields.Boolean(
        string="Salespeople May Review Their Own Orders",
        help="If unset, a held order must be reviewed by someone other than its "
        "salesperson.",
    )
    rma_return_location_id = fields.Many2one(
        comodel_name="stock.location",
        string="Returns Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Where after-sales returns are received. Empty: where Odoo's return "
        "operation type receives them.",
    )
    rma_refund_timing = fields.Selection(
        selection=REFUND_TIMINGS,
        string="Credit Note of a Return",
        default="on_receipt",
        required=True,
    )
    rma_exchange_policy = fields.Selection(
        selection=EXCHANGE_POLICIES,
        string="Ship Exchange Replacements",
        default="after_return",
        required=True,
    )
    rma_manager_approval_amount = fields.Monetary(
        string="Refunds Needing a Manager Above",
        currency_field="currency_id",
        help="After-sales requests refunding more than this (untaxed) must be "
        "confirmed by an after-sales manager. Zero: no limit.",
    )
    pack_weight_tolerance_percent = fields.Float(
        string="Weight Tolerance (%)",
        default=5.0,
        help="How far, in percent of the expected weight, a parcel's measured "
        "weight may be off at the pack station.",
    )
    pack_weight_tolerance_grams = fields.Float(
        string="Minimum Weight Tolerance (g)",
        default=50.0,
        help="The tolerance is never smaller than this many grams, so that light "
        "parcels are not refused for the scale's own precision.",
    )
