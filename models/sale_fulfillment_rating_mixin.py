import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression

from odoo.addons.rating.models.rating_data import RATING_LIMIT_MIN

_logger = logging.getLogger(__name__)

# Documents asked per run of a scheduled action; it runs again at once while
# more are due.
RATING_REQUEST_BATCH = 200

# The ratings customers gave: a request not answered yet is a rating of 0.
RECEIVED_RATING_DOMAIN = [("consumed", "=", True), ("rating", ">=", RATING_LIMIT_MIN)]


class SaleFulfillmentRatingMixin(models.AbstractModel):
    """Satisfaction surveys (满意度调查) on Odoo's ratings.

    Once its company's delay has passed after the document's trigger (an order
    delivered, an after-sales request done), the customer is emailed one
    rating request with three faces. The links are Odoo's public ``/rate``
    pages: the rating, its comment and the rating message in the chatter come
    from Odoo's rating mechanism (``rating.rating``), not from a table of ours.

    A model using it implements ``_get_rating_trigger_domain()`` and
    ``_get_rating_request_template()``.
    """

    _name = "sale.fulfillment.rating.mixin"
    _description = "Satisfaction Survey"
    _inherit = ["rating.mixin"]

    rating_request_sent_on = fields.Datetime(
        string="Rating Requested On",
        readonly=True,
        copy=False,
        help="When the customer was asked to rate us. Each document is asked once.",
    )

    @api.model
    def _cron_send_rating_requests(self):
        """Email the rating requests that are due (scheduled action).

        Documents of companies with satisfaction surveys on are asked once
        their delay has passed after the trigger; each document is asked once
        ever, so running it twice sends nothing more. Customers without an
        email address are skipped and stay unasked.
        """
        now = fields.Datetime.now()
        domain = self._get_rating_request_domain(now)
        if domain is None:
            return True
        if not self._get_rating_request_template():
            # Nothing can be sent: saying "more to do" would run the action
            # again at once, forever.
            _logger.warning(
                "%s: the satisfaction survey email template is missing; no "
                "rating request sent.",
                self._name,
            )
            return True
        records = self.sudo().search(domain, limit=RATING_REQUEST_BATCH + 1, order="id")
        batch = records[:RATING_REQUEST_BATCH]
        sent = batch._send_rating_request_safely()
        remaining = 0
        if len(records) > len(batch) and sent:
            # The batch is marked asked now: what the domain finds still waits.
            remaining = self.sudo().search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(sent), remaining=remaining)
        return True

    def _send_rating_request_safely(self):
        """``_send_rating_request`` for the scheduled action: when the batch
        fails, each document is tried on its own, so that one broken document
        (an invalid address, a template error) does not hold the others back
        every hour. Returns the documents asked."""
        try:
            with self.env.cr.savepoint():
                return self._send_rating_request()
        except Exception:  # retried one by one below
            _logger.info("%s: rating requests sent one by one", self._name)
        sent = self.browse()
        for record in self:
            try:
                with self.env.cr.savepoint():
                    sent |= record._send_rating_request()
            except Exception:
                _logger.exception(
                    "%s %s: the rating request could not be sent",
                    self._name,
                    record.id,
                )
        return sent

    @api.model
    def _get_rating_request_records(self, now):
        """The documents whose customer is due a rating request at ``now``, in
        one query."""
        domain = self._get_rating_request_domain(now)
        if domain is None:
            return self.browse()
        return self.sudo().search(domain, order="id")

    @api.model
    def _get_rating_request_domain(self, now):
        """Domain of the documents due a rating request at ``now``, or
        ``None`` when no company asks for ratings.

        Each company with surveys on adds its own delay and trigger; documents
        whose trigger came before the surveys were switched on are never
        asked."""
        companies = (
            self.env["res.company"].sudo().search([("sale_rating_enabled", "=", True)])
        )
        if not companies:
            return None
        per_company = [
            [
                ("company_id", "=", company.id),
                *self._get_rating_trigger_domain(
                    company,
                    company.sale_rating_enabled_on,
                    now - timedelta(hours=company.sale_rating_delay_hours),
                ),
            ]
            for company in companies
        ]
        return expression.AND(
            [
                [
                    ("rating_request_sent_on", "=", False),
                    ("partner_id.email", "!=", False),
                ],
                expression.OR(per_company),
            ]
        )

    @api.model
    def _get_rating_trigger_domain(self, company, since, until):
        """Domain of the documents of ``company`` whose trigger happened
        between ``since`` (when the company switched the surveys on; may be
        empty) and ``until`` (now minus the company's delay).

        Extension point: each model says what makes its customer due a
        request."""
        return expression.FALSE_DOMAIN

    @api.model
    def _get_rating_request_template(self):
        """The mail template of the rating request (``mail.template``), or an
        empty recordset when it was deleted.

        Extension point: each model names its template."""
        return self.env["mail.template"]

    def _send_rating_request(self):
        """Email each document's customer the rating request, in their
        language, through Odoo's ``rating_send_request`` (queued, with a note
        in the chatter), and mark the documents asked. Returns the documents
        asked."""
        template = self._get_rating_request_template()
        if not self or not template:
            return self.browse()
        self._rating_prepare_access_tokens()
        self.rating_send_request(template, force_send=False)
        self.write({"rating_request_sent_on": fields.Datetime.now()})
        return self

    def _rating_prepare_access_tokens(self):
        """Create in one go the pending rating of each document's customer:
        the request's links carry its token, which ``_rating_get_access_token``
        then finds instead of creating ratings one by one."""
        ratings = self.env["rating.rating"].sudo()
        pending = {
            (rating.res_id, rating.partner_id.id)
            for rating in self.sudo().rating_ids
            if not rating.consumed
        }
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = [
            record._prepare_rating_vals(model_id)
            for record in self
            if (record.id, record._rating_get_partner().id) not in pending
        ]
        if vals_list:
            ratings.create(vals_list)
            self.invalidate_recordset(["rating_ids"])

    def _prepare_rating_vals(self, model_id):
        """Values of the pending rating of the document's customer;
        ``model_id`` is the document's ``ir.model`` id."""
        self.ensure_one()
        return {
            "partner_id": self._rating_get_partner().id,
            "rated_partner_id": self._rating_get_operator().id,
            "res_model_id": model_id,
            "res_id": self.id,
            "is_internal": False,
        }

    def _get_allowed_message_post_params(self):
        # A rating is the customer's answer to the survey, given on Odoo's
        # rating page; a chatter message (Odoo's portal lets one carry a
        # rating) must not add ratings nobody asked for.
        return super()._get_allowed_message_post_params() - {"rating_value"}

    def _get_rating_pending_token(self):
        """The token of the customer's rating still to give, or ``False``
        (for the portal's "How did we do?" block; never creates one)."""
        self.ensure_one()
        partner = self._rating_get_partner()
        rating = self.sudo().rating_ids.filtered(
            lambda rating: not rating.consumed and rating.partner_id == partner
        )[:1]
        return rating.access_token or False

    def _rating_apply_get_default_subtype_id(self):
        # The customer's rating tells the team (internal followers), not the
        # customer's own colleagues who follow the document.
        subtype = self._get_rating_subtype_xmlid()
        if subtype:
            return self.env["ir.model.data"]._xmlid_to_res_id(subtype)
        return super()._rating_apply_get_default_subtype_id()

    @api.model
    def _get_rating_subtype_xmlid(self):
        """XML id of the subtype of the rating messages, or ``False`` for
        Odoo's default (a comment)."""
        return False
