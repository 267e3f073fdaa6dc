"""Satisfaction ratings of orders and of their after-sales requests."""

from collections import defaultdict

from odoo import api, fields, models

from .sale_fulfillment_rating_mixin import RECEIVED_RATING_DOMAIN


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Satisfaction (满意度): the ratings come from Odoo's rating.mixin.
    satisfaction_rating_count = fields.Integer(
        string="Customer Ratings",
        compute="_compute_satisfaction_rating_count",
        help="Ratings the customer gave the order and its after-sales requests.",
    )

    @api.depends("rating_ids.rating", "rma_ids.rating_ids.rating")
    def _compute_satisfaction_rating_count(self):
        counts = defaultdict(int)
        if self._origin.ids:
            for model, res_id, parent_id, count in (
                self.env["rating.rating"]
                .sudo()
                ._read_group(
                    self._origin._get_satisfaction_rating_domain(),
                    ["res_model", "res_id", "parent_res_id"],
                    ["__count"],
                )
            ):
                counts[res_id if model == self._name else parent_id] += count
        for order in self:
            order.satisfaction_rating_count = counts[order._origin.id]

    def action_view_ratings(self):
        """Open the ratings of the order and of its after-sales requests."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "rating.rating_rating_action"
        )
        action["domain"] = self._get_satisfaction_rating_domain()
        action["context"] = {"create": False}
        return action

    # Satisfaction surveys (满意度调查)

    def _get_satisfaction_rating_domain(self):
        """Domain of the ratings received for these orders and for their
        after-sales requests."""
        return [
            *RECEIVED_RATING_DOMAIN,
            "|",
            "&",
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            "&",
            ("parent_res_model", "=", self._name),
            ("parent_res_id", "in", self.ids),
        ]

    @api.model
    def _get_rating_trigger_domain(self, company, since, until):
        """Confirmed orders delivered (or fully shipped, as the company's
        trigger says) between ``since`` and ``until``, with no after-sales
        request open: such an order is asked once its requests are closed."""
        domain = [("state", "=", "sale"), ("fulfillment_state", "!=", "aftersales")]
        if company.sale_rating_trigger == "shipped":
            customer_moves = [
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "customer"),
            ]
            # The last shipment left in the window: none left after it.
            domain += [
                ("delivery_status", "=", "full"),
                (
                    "order_line",
                    "not any",
                    [("move_ids", "any", [*customer_moves, ("date", ">", until)])],
                ),
            ]
            if since:
                domain.append(
                    (
                        "order_line",
                        "any",
                        [("move_ids", "any", [*customer_moves, ("date", ">=", since)])],
                    )
                )
            return domain
        domain.append(("delivered_on", "<=", until))
        if since:
            domain.append(("delivered_on", ">=", since))
        return domain

    @api.model
    def _get_rating_request_template(self):
        return (
            self.env.ref(
                "sale_fulfillment.mail_template_sale_order_rating_request",
                raise_if_not_found=False,
            )
            or self.env["mail.template"]
        )

    @api.model
    def _get_rating_subtype_xmlid(self):
        return "sale_fulfillment.mt_sale_order_rating"
