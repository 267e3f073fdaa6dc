from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

# Review fields only the review itself writes: a client cannot forge a decision.
REVIEW_FIELDS = {
    "review_state",
    "reviewed_by_id",
    "reviewed_on",
    "review_reject_reason",
    "review_requested_by_id",
    "review_held_on",
}

# Changing these on a held or rejected order voids its review.
REVIEWED_ORDER_FIELDS = {
    "partner_id",
    "partner_shipping_id",
    "partner_invoice_id",
    "pricelist_id",
    "currency_id",
    "payment_term_id",
    "commitment_date",
    "customer_note",
    "require_payment",
    "prepayment_percent",
    "order_line",
    "company_id",
    "warehouse_id",
    "payment_method",
}

# Orders numbered by a scheme have a name unique in their company.
NUMBER_INDEX = "sale_order_numbering_company_name_uniq"


def _record_id(value):
    """The id of a many-2-one create value, given as an id or a record."""
    return value.id if isinstance(value, models.BaseModel) else value


class SaleOrder(models.Model):
    _name = "sale.order"
    # The mixin first: it brings mail.thread, which sale.order's own parents
    # list, and Python's method order needs the mixin before it.
    _inherit = ["sale.fulfillment.rating.mixin", "sale.order"]

    customer_note = fields.Text(
        string="Customer Remark",
        help="What the customer wrote with the order. A review rule can hold "
        "orders with a remark until someone has read it.",
    )

    def init(self):
        result = super().init()
        # Numbering looks up whether a number already names an order of the
        # company: Odoo indexes names for partial (trigram) search only.
        create_index(
            self.env.cr,
            "sale_order_company_id_name_index",
            self._table,
            ["company_id", "name"],
        )
        # Even two transactions drawing the same random number at the same
        # second cannot both save it: the second one fails.
        if not index_exists(self.env.cr, NUMBER_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX %s ON sale_order (company_id, name) "
                    "WHERE numbering_id IS NOT NULL",
                    SQL.identifier(NUMBER_INDEX),
                )
            )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        new_name = self._fields["name"].default(self)
        numbering_companies = self._get_numbering_company_ids(vals_list)
        vals_list = [
            {**vals, "name": self._prepare_pending_number(vals)}
            if vals.get("name", new_name) == new_name
            and (_record_id(vals.get("company_id")) or self.env.company.id)
            in numbering_companies
            else vals
            for vals in vals_list
        ]
        try:
            return super().create(vals_list)
        except UniqueViolation as error:
            if error.diag.constraint_name != NUMBER_INDEX:
                raise
            raise UserError(
                self.env._(
                    "Another order was given the same number at the same moment. "
                    "Please save the order again."
                )
            ) from error

    def _prepare_create_values(self, vals_list):
        # Defaults and precomputed fields are known here, the sales team Odoo
        # gives the order included: channel and number depend on it.
        result_vals_list = super()._prepare_create_values(vals_list)
        self._prepare_default_channels(result_vals_list)
        self._prepare_order_numbers(result_vals_list)
        return result_vals_list

    def write(self, vals):
        if REVIEW_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                self.env._("Only the order review sets the review of an order.")
            )
        if REVIEWED_ORDER_FIELDS & vals.keys():
            self._review_void()
        if "company_id" in vals:
            # An order moved to another company keeps its number, but the
            # scheme that gave it belongs to the old company.
            moved = self.filtered(
                lambda order: (
                    order.numbering_id
                    and order.numbering_id.company_id.id
                    != _record_id(vals["company_id"])
                )
            )
            if moved:
                super(SaleOrder, moved).write({"numbering_id": False})
        return super().write(vals)

    def action_confirm(self):
        """Confirm the orders that pass the review rules; hold the others.

        Held orders stay quotations in review (``review_state = 'to_review'``); the
        batch is not interrupted. Orders a reviewer has just approved are confirmed
        without a new review. Orders of companies with the order review off
        (``sale_review_enabled``) are confirmed as Odoo does, without any rule.
        The orders that confirm are allocated first when their company has
        order allocation on (``sale_allocation_enabled``).
        """
        to_review = self._get_orders_to_review()
        held = to_review._review_hold() if to_review else self.browse()
        to_confirm = self - held
        if not to_confirm:
            return True
        # After the review, before Odoo procures the orders.
        plan = to_confirm._allocate_on_confirm()
        res = super(SaleOrder, to_confirm).action_confirm()
        if plan:
            self._allocate_after_confirm(plan)
        return res

    def action_draft(self):
        self._review_void()
        return super().action_draft()
