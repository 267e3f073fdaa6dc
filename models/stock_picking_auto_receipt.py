"""Automatic receipt (自动确认收货): shipped deliveries count as received a
number of days after they left, when nobody confirmed them earlier."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression

_logger = logging.getLogger(__name__)

# Deliveries marked per run of the scheduled action; it runs again at once
# while more are due.
AUTO_RECEIPT_BATCH = 500


class StockPicking(models.Model):
    _inherit = "stock.picking"

    @api.model
    def _cron_mark_auto_received(self):
        """Mark delivered the shipped deliveries whose automatic receipt is
        due (scheduled action), a batch at a time: the action reports its
        progress and Odoo runs it again at once while more are due."""
        now = fields.Datetime.now()
        domain = self._get_auto_receipt_domain(now)
        if domain is None:
            return True
        Picking = self.sudo()
        pickings = Picking.search(
            domain, limit=AUTO_RECEIPT_BATCH + 1, order="date_done, id"
        )
        batch = pickings[:AUTO_RECEIPT_BATCH]
        marked = batch._action_auto_receipt_safely()
        remaining = 0
        if len(pickings) > len(batch) and marked:
            # The batch is marked now: what the domain finds still waits.
            remaining = Picking.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(marked), remaining=remaining)
        return True

    @api.model
    def _get_auto_receipt_records(self, now):
        """The deliveries whose automatic receipt is due at ``now``, in one
        query whatever the number of companies."""
        domain = self._get_auto_receipt_domain(now)
        if domain is None:
            return self.browse()
        return self.sudo().search(domain, order="date_done, id")

    @api.model
    def _get_auto_receipt_domain(self, now):
        """Domain of the deliveries due an automatic receipt at ``now``, or
        ``None`` when no company has it on.

        Each company with the setting on adds its number of days; deliveries
        whose day of receipt came before the setting was switched on are left
        alone, so that switching it on does not tell customers of deliveries
        long past."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("sale_auto_receipt_enabled", "=", True)])
        )
        if not companies:
            return None
        per_company = []
        for company in companies:
            days = timedelta(days=company.sale_auto_receipt_days)
            company_domain = [
                ("company_id", "=", company.id),
                ("date_done", "<=", now - days),
            ]
            if company.sale_auto_receipt_enabled_on:
                company_domain.append(
                    ("date_done", ">=", company.sale_auto_receipt_enabled_on - days)
                )
            per_company.append(company_domain)
        return expression.AND(
            [self._get_auto_receipt_base_domain(), expression.OR(per_company)]
        )

    @api.model
    def _get_auto_receipt_base_domain(self):
        """The deliveries an automatic receipt may mark: done deliveries to a
        customer that nobody marked delivered, and that are not coming back
        (a parcel refused or returned, in full or in part, has a return that
        is not cancelled).

        Extension point: a carrier integration that tracks its parcels
        excludes those it will confirm itself."""
        return [
            ("state", "=", "done"),
            ("picking_type_code", "=", "outgoing"),
            ("location_dest_id.usage", "=", "customer"),
            ("delivered_on", "=", False),
            ("return_ids", "not any", [("state", "!=", "cancel")]),
        ]

    def _get_auto_receipt_date(self):
        """When the customer counts as having received this delivery: the day
        it left plus its company's number of days."""
        self.ensure_one()
        return self.date_done + timedelta(days=self.company_id.sale_auto_receipt_days)

    def _action_auto_receipt(self):
        """Mark these deliveries delivered at their automatic receipt date,
        through ``_action_mark_delivered`` (delivered email, order's date of
        delivery, satisfaction survey as if confirmed), with a note on each
        delivery saying so. Returns the deliveries marked."""
        dates = {picking.id: picking._get_auto_receipt_date() for picking in self}
        marked = self._action_mark_delivered(delivered_on=dates)
        if marked:
            marked.sudo()._message_log_batch(
                {
                    picking.id: self.env._(
                        "Marked as delivered automatically: nobody confirmed "
                        "the delivery within %(days)s days after it left.",
                        days=picking.company_id.sale_auto_receipt_days,
                    )
                    for picking in marked
                }
            )
        return marked

    def _action_auto_receipt_safely(self):
        """``_action_auto_receipt`` for the scheduled action: when the batch
        fails, each delivery is tried on its own, so that one broken delivery
        (a template error) does not hold the others back. Returns the
        deliveries marked."""
        try:
            with self.env.cr.savepoint():
                return self._action_auto_receipt()
        except Exception:  # retried one by one below
            _logger.info("Automatic receipt: deliveries marked one by one")
        marked = self.browse()
        for picking in self:
            try:
                with self.env.cr.savepoint():
                    marked |= picking._action_auto_receipt()
            except Exception:
                _logger.exception(
                    "Automatic receipt: delivery %s could not be marked", picking.id
                )
        return marked
