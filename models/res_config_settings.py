from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_review_enabled = fields.Boolean(
        related="company_id.sale_review_enabled",
        readonly=False,
    )
    sale_allocation_enabled = fields.Boolean(
        related="company_id.sale_allocation_enabled",
        readonly=False,
    )
    sale_numbering_enabled = fields.Boolean(
        related="company_id.sale_numbering_enabled",
        readonly=False,
    )
    stock_pack_check_enabled = fields.Boolean(
        related="company_id.stock_pack_check_enabled",
        readonly=False,
    )
    stock_auto_split_enabled = fields.Boolean(
        related="company_id.stock_auto_split_enabled",
        readonly=False,
    )
    mrp_auto_schedule_enabled = fields.Boolean(
        related="company_id.mrp_auto_schedule_enabled",
        readonly=False,
    )
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
    rma_portal_user_id = fields.Many2one(
        related="company_id.rma_portal_user_id",
        readonly=False,
    )
    sale_portal_order_changes_enabled = fields.Boolean(
        related="company_id.sale_portal_order_changes_enabled",
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
    sale_payment_reminder_enabled = fields.Boolean(
        related="company_id.sale_payment_reminder_enabled",
        readonly=False,
    )
    sale_payment_reminder_delay_hours = fields.Integer(
        related="company_id.sale_payment_reminder_delay_hours",
        readonly=False,
    )
    sale_payment_cancel_delay_hours = fields.Integer(
        related="company_id.sale_payment_cancel_delay_hours",
        readonly=False,
    )
    sale_notify_shipped = fields.Boolean(
        related="company_id.sale_notify_shipped",
        readonly=False,
    )
    sale_notify_delivered = fields.Boolean(
        related="company_id.sale_notify_delivered",
        readonly=False,
    )
    sale_auto_receipt_enabled = fields.Boolean(
        related="company_id.sale_auto_receipt_enabled",
        readonly=False,
    )
    sale_auto_receipt_days = fields.Integer(
        related="company_id.sale_auto_receipt_days",
        readonly=False,
    )
    sale_default_medium_id = fields.Many2one(
        related="company_id.sale_default_medium_id",
        readonly=False,
    )
    sale_sla_to_review_hours = fields.Integer(
        related="company_id.sale_sla_to_review_hours",
        readonly=False,
    )
    sale_sla_to_pay_hours = fields.Integer(
        related="company_id.sale_sla_to_pay_hours",
        readonly=False,
    )
    sale_sla_in_production_hours = fields.Integer(
        related="company_id.sale_sla_in_production_hours",
        readonly=False,
    )
    sale_sla_to_ship_hours = fields.Integer(
        related="company_id.sale_sla_to_ship_hours",
        readonly=False,
    )
    sale_sla_partially_shipped_hours = fields.Integer(
        related="company_id.sale_sla_partially_shipped_hours",
        readonly=False,
    )
    sale_sla_shipped_hours = fields.Integer(
        related="company_id.sale_sla_shipped_hours",
        readonly=False,
    )
    sale_sla_aftersales_hours = fields.Integer(
        related="company_id.sale_sla_aftersales_hours",
        readonly=False,
    )
    sale_rating_enabled = fields.Boolean(
        related="company_id.sale_rating_enabled",
        readonly=False,
    )
    sale_rating_delay_hours = fields.Integer(
        related="company_id.sale_rating_delay_hours",
        readonly=False,
    )
    sale_rating_trigger = fields.Selection(
        related="company_id.sale_rating_trigger",
        readonly=False,
    )
