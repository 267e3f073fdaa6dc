from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_review_allow_self_approval = fields.Boolean(
        related="company_id.sale_review_allow_self_approval",
        readonly=False,
    )
    rma_return_location_id = fields.Many2one(
        related="company_id.rma_return_location_id",
        readonly=False,
    )
    rma_refund_timing = fields.Selection(
        related="company_id.rma_refund_timing",
        readonly=False,
    )
    rma_exchange_policy = fields.Selection(
        related="company_id.rma_exchange_policy",
        readonly=False,
    )
    rma_manager_approval_amount = fields.Monetary(
        related="company_id.rma_manager_approval_amount",
        readonly=False,
    )
    pack_weight_tolerance_percent = fields.Float(
        related="company_id.pack_weight_tolerance_percent",
        readonly=False,
    )
    pack_weight_tolerance_grams = fields.Float(
        related="company_id.pack_weight_tolerance_grams",
        readonly=False,
    )
    barcode_nomenclature_id = fields.Many2one(
        comodel_name="barcode.nomenclature",
        related="company_id.nomenclature_id",
        readonly=False,
    )
