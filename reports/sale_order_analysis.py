from odoo import api, fields, models, tools
from odoo.tools import SQL

from odoo.addons.rating.models.rating_data import RATING_LIMIT_MIN

from ..const import FULFILLMENT_STATES

# After-sales request types that bring goods back: they make an order "returned".
RETURN_RMA_TYPES = ("return_refund", "exchange")


class SaleOrderAnalysis(models.Model):
    """One row per confirmed (or held) sales order with what happened to it:
    money, channel, shipping lead time, punctuality, returns, review time,
    the customer's rating and, paid on delivery, what the carrier still
    holds.

    The KPIs of the order digests aggregate this view, so that the emailed
    figures and the pivot the manager opens are the same numbers.
    """

    _name = "sale.order.analysis"
    _description = "Order Analysis"
    _auto = False
    _rec_name = "name"
    _order = "date desc, id desc"

    order_id = fields.Many2one(comodel_name="sale.order", readonly=True)
    name = fields.Char(string="Order Reference", readonly=True)
    date = fields.Datetime(string="Order Date", readonly=True)
    state = fields.Selection(
        selection=[
            ("draft", "Quotation"),
            ("sent", "Quotation Sent"),
            ("sale", "Sales Order"),
            ("cancel", "Cancelled"),
        ],
        string="Status",
        readonly=True,
    )
    fulfillment_state = fields.Selection(
        selection=FULFILLMENT_STATES, string="Fulfillment", readonly=True
    )
    review_state = fields.Selection(
        selection=[
            ("none", "Not Reviewed"),
            ("to_review", "To Review"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        string="Review",
        readonly=True,
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    team_id = fields.Many2one(
        comodel_name="crm.team", string="Sales Team", readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="Salesperson", readonly=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", readonly=True
    )
    country_id = fields.Many2one(comodel_name="res.country", readonly=True)
    country_state_id = fields.Many2one(
        comodel_name="res.country.state", string="Region", readonly=True
    )
    source_id = fields.Many2one(comodel_name="utm.source", readonly=True)
    medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Channel",
        readonly=True,
        help="Where the order came from (web shop, phone, email, marketplace…): "
        "the order's UTM medium.",
    )
    order_count = fields.Integer(string="# Orders", readonly=True)
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount",
        readonly=True,
        help="In the company's currency.",
    )
    amount_total = fields.Monetary(string="Total", readonly=True)
    amount_paid = fields.Monetary(
        string="Paid",
        readonly=True,
        help="What the customer has paid: the paid part of the order's invoices, "
        "or its confirmed online payments when there is no invoice yet.",
    )
    is_paid = fields.Boolean(string="Payment Received", readonly=True)
    paying_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Paying Customer",
        readonly=True,
        help="The customer when the order received a payment: counting its "
        "distinct values gives the paying customers.",
    )
    is_first_order = fields.Boolean(
        string="First Order of the Customer",
        readonly=True,
        help="The customer had no confirmed order in this company before.",
    )
    new_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="New Customer",
        readonly=True,
        help="The customer when this is their first order.",
    )
    due_date = fields.Datetime(
        readonly=True,
        help="The commitment date, or else the end of the day Odoo expects the "
        "delivery: the order date plus the customer lead time of its earliest "
        "line (of its latest when shipping all at once).",
    )
    shipped_date = fields.Datetime(
        string="Shipped on",
        readonly=True,
        help="When the last goods of a fully shipped order left.",
    )
    shipped_count = fields.Integer(string="# Shipped", readonly=True)
    lead_time_hours = fields.Float(
        string="Lead Time (Hours)",
        readonly=True,
        aggregator="avg",
        help="From confirmation to the last shipment, for fully shipped orders.",
    )
    is_on_time = fields.Boolean(string="Shipped on Time", readonly=True)
    on_time_count = fields.Integer(string="# Shipped on Time", readonly=True)
    on_time_percent = fields.Float(
        string="On-Time Rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for an order shipped by its due date, 0 for one shipped "
        "later; empty while not shipped. Its average is the on-time rate.",
    )
    is_late = fields.Boolean(
        string="Late",
        readonly=True,
        help="Shipped after its due date, still open past it, or its "
        "production is planned to end too late.",
    )
    late_count = fields.Integer(string="# Late", readonly=True)
    is_returned = fields.Boolean(
        string="Returned",
        readonly=True,
        help="A return or exchange request of the order is confirmed.",
    )
    returned_count = fields.Integer(string="# Returned", readonly=True)
    returned_amount = fields.Monetary(
        string="Credited",
        readonly=True,
        help="Untaxed total of the posted credit notes of the order.",
    )
    review_hours = fields.Float(
        string="Time in Review (Hours)",
        readonly=True,
        aggregator="avg",
        help="From the hold to the review decision (or until now while held).",
    )
    rating_requested_on = fields.Datetime(
        readonly=True,
        help="When the customer was asked to rate the order.",
    )
    rating_value = fields.Float(
        string="Average Rating",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="The average of the ratings the customer gave the order (1 to 5); "
        "empty while none. Averaged over orders, each order counts once.",
    )
    is_rated = fields.Boolean(
        string="Rated",
        readonly=True,
        help="The customer rated the order.",
    )
    rating_requested_count = fields.Integer(string="# Ratings Requested", readonly=True)
    rated_count = fields.Integer(string="# Rated", readonly=True)
    payment_method = fields.Selection(
        selection="_get_payment_methods",
        readonly=True,
    )
    carrier_id = fields.Many2one(comodel_name="delivery.carrier", readonly=True)
    cod_count = fields.Integer(string="# Cash on Delivery", readonly=True)
    cod_amount_untaxed = fields.Monetary(
        string="Cash on Delivery (Untaxed)",
        readonly=True,
        help="The untaxed amount of the order when it is paid on delivery.",
    )
    is_cod_outstanding = fields.Boolean(
        string="COD Outstanding",
        readonly=True,
        help="A cash-on-delivery order whose goods have left and whose money "
        "is not received yet.",
    )
    cod_outstanding_amount = fields.Monetary(
        string="COD Outstanding Amount",
        readonly=True,
        help="What the carrier still holds of a cash-on-delivery order whose "
        "goods have left: its total minus what was received, taxes included.",
    )
    rating_response_percent = fields.Float(
        string="Rating Response Rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for an order whose customer answered the rating request, 0 "
        "for one still unanswered; empty when not asked. Its average is the "
        "response rate.",
    )

    # Flushed before the view is read, so that it sees pending ORM writes.
    _depends = {
        "sale.order": [
            "name",
            "date_order",
            "state",
            "fulfillment_state",
            "review_state",
            "company_id",
            "team_id",
            "user_id",
            "partner_id",
            "partner_shipping_id",
            "source_id",
            "medium_id",
            "amount_untaxed",
            "amount_total",
            "currency_rate",
            "commitment_date",
            "picking_policy",
            "is_production_late",
            "reviewed_on",
            "review_held_on",
            "rating_request_sent_on",
            "payment_method",
            "carrier_id",
            "is_cod_outstanding",
        ],
        "sale.order.line": [
            "order_id",
            "customer_lead",
            "display_type",
            "is_delivery",
            "invoice_lines",
        ],
        "stock.move": [
            "sale_line_id",
            "state",
            "date",
            "location_dest_id",
            "group_id",
        ],
        "stock.location": ["usage"],
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "amount_total",
            "amount_total_signed",
            "amount_residual_signed",
            "amount_untaxed_signed",
        ],
        "account.move.line": ["move_id", "price_total", "balance"],
        "payment.transaction": ["state", "amount", "sale_order_ids"],
        "sale.rma": [
            "order_id",
            "rma_type",
            "state",
            "refund_move_ids",
            "procurement_group_id",
        ],
        "res.partner": ["commercial_partner_id", "country_id", "state_id"],
        "rating.rating": ["res_model", "res_id", "rating", "consumed"],
    }

    @api.model
    def _get_payment_methods(self):
        return (
            self.env["sale.order"]
            ._fields["payment_method"]
            ._description_selection(self.env)
        )

    @property
    def _table_query(self):
        return self._get_query()

    @api.model
    def _get_query(self):
        """The view's SQL: flags, then the measures summing them, on top of
        the raw figures of ``_get_inner_query``.

        Extension point: add a column by overriding both and selecting it in
        the inner query."""
        return SQL(
            """
            SELECT flags.*,
                   CASE WHEN flags.is_first_order THEN flags.partner_id END
                       AS new_partner_id,
                   CASE WHEN flags.is_paid THEN flags.partner_id END
                       AS paying_partner_id,
                   (flags.shipped_date IS NOT NULL)::int AS shipped_count,
                   EXTRACT(EPOCH FROM flags.shipped_date - flags.date) / 3600.0
                       AS lead_time_hours,
                   flags.is_on_time::int AS on_time_count,
                   CASE WHEN flags.shipped_date IS NULL THEN NULL
                        WHEN flags.is_on_time THEN 100.0
                        ELSE 0.0 END AS on_time_percent,
                   flags.is_late::int AS late_count,
                   flags.is_returned::int AS returned_count,
                   (flags.rating_requested_on IS NOT NULL)::int
                       AS rating_requested_count,
                   flags.is_rated::int AS rated_count,
                   CASE WHEN flags.rating_requested_on IS NULL THEN NULL
                        WHEN flags.is_rated THEN 100.0
                        ELSE 0.0 END AS rating_response_percent,
                   (flags.payment_method = 'cod')::int AS cod_count,
                   CASE WHEN flags.payment_method = 'cod'
                        THEN flags.amount_untaxed ELSE 0 END
                       AS cod_amount_untaxed,
                   CASE WHEN flags.is_cod_outstanding
                        THEN GREATEST(flags.amount_total - flags.amount_paid, 0)
                        ELSE 0 END AS cod_outstanding_amount
              FROM (
                    SELECT base.*,
                           base.amount_paid > 0 AS is_paid,
                           COALESCE(base.shipped_date <= base.due_date, FALSE)
                               AS is_on_time,
                           COALESCE(
                               base.shipped_date > base.due_date
                               OR (base.has_open_shipment
                                   AND base.due_date < %(now)s)
                               OR base.is_production_late,
                               FALSE
                           ) AS is_late
                      FROM (%(inner)s) AS base
              ) AS flags
            """,
            inner=self._get_inner_query(),
            now=SQL("(NOW() AT TIME ZONE 'UTC')"),
        )

    @api.model
    def _get_inner_query(self):
        # Correlated LATERAL subqueries: a filter on the orders (company, dates)
        # is applied first, then each remaining order reads its own lines,
        # moves and documents through their indexes.
        rate = SQL("COALESCE(NULLIF(so.currency_rate, 0), 1.0)")
        now = SQL("(NOW() AT TIME ZONE 'UTC')")
        return SQL(
            """
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.name AS name,
                   so.date_order AS date,
                   so.state AS state,
                   so.fulfillment_state AS fulfillment_state,
                   so.review_state AS review_state,
                   so.company_id AS company_id,
                   company.currency_id AS currency_id,
                   so.team_id AS team_id,
                   so.user_id AS user_id,
                   customer.commercial_partner_id AS partner_id,
                   shipping.country_id AS country_id,
                   shipping.state_id AS country_state_id,
                   so.source_id AS source_id,
                   so.medium_id AS medium_id,
                   1 AS order_count,
                   so.amount_untaxed / %(rate)s AS amount_untaxed,
                   so.amount_total / %(rate)s AS amount_total,
                   GREATEST(
                       COALESCE(invoiced.paid, 0),
                       COALESCE(tx.paid, 0) / %(rate)s
                   ) AS amount_paid,
                   NOT EXISTS (
                       SELECT 1
                         FROM sale_order earlier
                         JOIN res_partner earlier_partner
                           ON earlier_partner.id = earlier.partner_id
                        WHERE earlier_partner.commercial_partner_id
                                  = customer.commercial_partner_id
                          AND earlier.company_id = so.company_id
                          AND earlier.state = 'sale'
                          AND (earlier.date_order < so.date_order
                               OR (earlier.date_order = so.date_order
                                   AND earlier.id < so.id))
                   ) AS is_first_order,
                   COALESCE(
                       so.commitment_date,
                       lines.expected_due
                   ) AS due_date,
                   CASE WHEN ship.complete THEN ship.last_done END AS shipped_date,
                   so.state = 'sale' AND COALESCE(ship.open, FALSE)
                       AS has_open_shipment,
                   COALESCE(so.is_production_late, FALSE) AS is_production_late,
                   rma.returned AS is_returned,
                   COALESCE(refund.amount, 0) AS returned_amount,
                   EXTRACT(
                       EPOCH FROM COALESCE(so.reviewed_on, %(now)s) - so.review_held_on
                   ) / 3600.0 AS review_hours,
                   so.rating_request_sent_on AS rating_requested_on,
                   rated.value AS rating_value,
                   rated.value IS NOT NULL AS is_rated,
                   so.payment_method AS payment_method,
                   so.carrier_id AS carrier_id,
                   COALESCE(so.is_cod_outstanding, FALSE) AS is_cod_outstanding
              FROM sale_order so
              JOIN res_company company ON company.id = so.company_id
              JOIN res_partner customer ON customer.id = so.partner_id
              LEFT JOIN res_partner shipping ON shipping.id = so.partner_shipping_id
              LEFT JOIN LATERAL (
                    -- Odoo's expected date: the earliest line, the latest when
                    -- shipping all at once; due at the end of that day.
                    SELECT DATE_TRUNC(
                               'day',
                               so.date_order + CASE WHEN so.picking_policy = 'one'
                                   THEN MAX(line.customer_lead)
                                   ELSE MIN(line.customer_lead) END
                                   * INTERVAL '1 day'
                           ) + INTERVAL '1 day' AS expected_due
                      FROM sale_order_line line
                     WHERE line.order_id = so.id
                       AND line.display_type IS NULL
                       AND line.is_delivery IS NOT TRUE
              ) lines ON TRUE
              LEFT JOIN LATERAL (
                    SELECT MAX(move.date) FILTER (WHERE move.state = 'done')
                               AS last_done,
                           COUNT(*) FILTER (WHERE move.state = 'done') > 0
                               AND BOOL_AND(move.state IN ('done', 'cancel'))
                               AS complete,
                           COUNT(*) FILTER (
                               WHERE move.state NOT IN ('done', 'cancel')
                           ) > 0 AS open
                      FROM sale_order_line line
                      JOIN stock_move move ON move.sale_line_id = line.id
                      JOIN stock_location dest ON dest.id = move.location_dest_id
                     WHERE line.order_id = so.id
                       AND dest.usage = 'customer'
                       -- Re-shipments and exchanges are after-sales, not the
                       -- order's own shipping.
                       AND NOT EXISTS (
                            SELECT 1
                              FROM sale_rma request
                             WHERE request.procurement_group_id = move.group_id
                       )
              ) ship ON TRUE
              LEFT JOIN LATERAL (
                    -- The order's share of each invoice (its lines' part of the
                    -- total) times the part of the invoice that is paid, so
                    -- that an invoice of several orders is not counted twice.
                    SELECT SUM(
                               invoice_line.price_total
                               / NULLIF(invoice.amount_total, 0)
                               * (invoice.amount_total_signed
                                  - invoice.amount_residual_signed)
                           ) AS paid
                      FROM sale_order_line line
                      JOIN sale_order_line_invoice_rel rel
                        ON rel.order_line_id = line.id
                      JOIN account_move_line invoice_line
                        ON invoice_line.id = rel.invoice_line_id
                      JOIN account_move invoice
                        ON invoice.id = invoice_line.move_id
                     WHERE line.order_id = so.id
                       AND invoice.move_type = 'out_invoice'
                       AND invoice.state = 'posted'
                       -- Settled by a credit note, not by the customer.
                       AND invoice.payment_state != 'reversed'
              ) invoiced ON TRUE
              LEFT JOIN LATERAL (
                    SELECT SUM(transaction.amount) AS paid
                      FROM sale_order_transaction_rel rel
                      JOIN payment_transaction transaction
                        ON transaction.id = rel.transaction_id
                     WHERE rel.sale_order_id = so.id
                       AND transaction.state IN ('authorized', 'done')
              ) tx ON TRUE
              LEFT JOIN LATERAL (
                    SELECT COUNT(*) > 0 AS returned
                      FROM sale_rma request
                     WHERE request.order_id = so.id
                       AND request.rma_type IN %(return_types)s
                       AND request.state NOT IN ('draft', 'cancelled')
              ) rma ON TRUE
              LEFT JOIN LATERAL (
                    -- Credit note lines of the order's lines, plus the credit
                    -- notes of its after-sales requests that credit no sale
                    -- line (an exchange's price difference).
                    SELECT COALESCE((
                               SELECT SUM(credit_line.balance)
                                 FROM sale_order_line line
                                 JOIN sale_order_line_invoice_rel rel
                                   ON rel.order_line_id = line.id
                                 JOIN account_move_line credit_line
                                   ON credit_line.id = rel.invoice_line_id
                                 JOIN account_move credit
                                   ON credit.id = credit_line.move_id
                                WHERE line.order_id = so.id
                                  AND credit.move_type = 'out_refund'
                                  AND credit.state = 'posted'
                           ), 0) + COALESCE((
                               SELECT -SUM(credit.amount_untaxed_signed)
                                 FROM sale_rma request
                                 JOIN sale_rma_refund_move_rel link
                                   ON link.rma_id = request.id
                                 JOIN account_move credit
                                   ON credit.id = link.move_id
                                WHERE request.order_id = so.id
                                  AND credit.move_type = 'out_refund'
                                  AND credit.state = 'posted'
                                  AND NOT EXISTS (
                                       SELECT 1
                                         FROM account_move_line credit_line
                                         JOIN sale_order_line_invoice_rel rel
                                           ON rel.invoice_line_id = credit_line.id
                                        WHERE credit_line.move_id = credit.id
                                  )
                           ), 0) AS amount
              ) refund ON TRUE
              LEFT JOIN LATERAL (
                    -- The answers to the survey (Odoo's rating.rating): only
                    -- orders whose customer was asked count, so that rated
                    -- orders are a part of the asked ones; a request not
                    -- answered yet has a rating of 0.
                    SELECT AVG(received.rating) AS value
                      FROM rating_rating received
                     WHERE received.res_model = 'sale.order'
                       AND received.res_id = so.id
                       AND so.rating_request_sent_on IS NOT NULL
                       AND received.consumed
                       AND received.rating >= %(rating_min)s
              ) rated ON TRUE
             WHERE so.state = 'sale'
                OR so.review_state IN ('to_review', 'rejected')
            """,
            rate=rate,
            now=now,
            return_types=RETURN_RMA_TYPES,
            rating_min=RATING_LIMIT_MIN,
        )

    def init(self):
        # The view is a query (``_table_query``); the KPIs filter it on a
        # company, the confirmed state and a period, which this index serves.
        tools.create_index(
            self.env.cr,
            "sale_order_company_state_date_index",
            "sale_order",
            ["company_id", "state", "date_order"],
        )
