"""Delivery promise: make-to-order production dates and When Can We Deliver?."""

from datetime import timedelta

from odoo import api, fields, models

from .record_order import id_key


class SaleOrder(models.Model):
    _inherit = "sale.order"

    production_finish_date = fields.Datetime(
        string="Production Finish",
        compute="_compute_production_finish_date",
        store=True,
        help="Planned end of the order's make-to-order production: the latest "
        "planned (or actual) finish of its manufacturing orders.",
    )
    is_production_late = fields.Boolean(
        string="Production Late",
        compute="_compute_production_finish_date",
        store=True,
        help="The planned production finish plus the company's security lead "
        "time is later than the commitment date.",
    )
    promised_date = fields.Datetime(
        string="Earliest Delivery",
        copy=False,
        readonly=True,
        help="The earliest delivery date the current production plan allows, "
        "from When Can We Deliver?: make-to-order lines are simulated on top of "
        "the plan (capacity, working time, materials); nothing is planned.",
    )

    @api.depends(
        "commitment_date",
        "company_id.security_lead",
        "order_line.production_ids.state",
        "order_line.production_ids.date_finished",
        "procurement_group_id.stock_move_ids.created_production_id.state",
        "procurement_group_id.stock_move_ids.created_production_id.date_finished",
    )
    def _compute_production_finish_date(self):
        self._get_fulfillment_productions().fetch(["state", "date_finished"])
        for order in self:
            productions = order._get_fulfillment_productions().filtered(
                lambda production: production.state != "cancel"
            )
            finish = max(productions.mapped("date_finished"), default=False)
            order.production_finish_date = finish
            order.is_production_late = bool(
                finish
                and order.commitment_date
                and any(production.state != "done" for production in productions)
                and order._get_delivery_date_after_production(finish)
                > order.commitment_date
            )

    def action_compute_promise_date(self):
        """Fill ``promised_date``: when could these orders be delivered?

        Make-to-order lines are simulated on top of the current production plan
        (bill of materials, capacity, working time, components); the other lines
        count with Odoo's own expected date. Nothing but ``promised_date`` is
        written: no manufacturing order, work order or booking.
        """
        promises = self._get_promise_dates()
        for order in self:
            order.promised_date = promises.get(order.id) or order.expected_date
        return True

    def _get_delivery_date_after_production(self, finish):
        """Delivery date of goods whose production ends at ``finish``."""
        self.ensure_one()
        return finish + timedelta(days=self.company_id.security_lead or 0)

    def _get_promise_lines(self):
        """Lines whose goods would be manufactured for the order (MTO)."""
        lines = self.order_line.filtered(
            lambda line: line.product_id.is_storable and line.product_uom_qty > 0
        )
        made = self.env["mrp.production"]._get_made_to_order(
            [
                (line.id, line.product_id, line.order_id.warehouse_id, line.route_id)
                for line in lines
            ]
        )
        return lines.filtered(lambda line: line.id in made)

    def _get_promise_dates(self):
        """Simulated earliest delivery of each order with make-to-order lines.

        Orders are simulated together, most urgent commitment first, so that
        two quotations do not both count on the same free slot.
        Returns {order id: datetime}.
        """
        lines = self._get_promise_lines()
        if not lines:
            return {}
        requests = [
            (
                line.id,
                line.product_id,
                line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                ),
                line.order_id.warehouse_id,
                line.company_id,
            )
            for line in lines.sorted(
                key=lambda line: (
                    not line.order_id.commitment_date,
                    line.order_id.commitment_date or line.order_id.date_order,
                    id_key(line.order_id),
                    id_key(line),
                )
            )
        ]
        # Capacity, bookings and stock are read to answer a date, whoever asks.
        finishes = (
            self.env["mrp.production"].sudo()._simulate_production_finish(requests)
        )
        result = {}
        for line in lines:
            order = line.order_id
            delivery = order._get_delivery_date_after_production(finishes[line.id])
            if order.id not in result:
                # Not the order's expected date: it counts the made-to-order
                # lines' customer lead time, which the simulation replaces.
                result[order.id] = order._get_other_goods_date(lines) or delivery
            result[order.id] = max(result[order.id], delivery)
        return result

    def _get_other_goods_date(self, promise_lines):
        """When the order's goods that are not made for it can ship (their
        customer lead time), or ``None`` when it has none."""
        self.ensure_one()
        others = self.order_line.filtered(
            lambda line: (
                line not in promise_lines
                and not line.display_type
                and line.product_id.type != "service"
            )
        )
        return max((line._expected_date() for line in others), default=None)
