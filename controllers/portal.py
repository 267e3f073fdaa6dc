import math

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.sale.controllers.portal import CustomerPortal

from ..const import OPEN_STATES, RETURN_TYPES

# Prefix of the form fields holding the requested quantity of each sale line.
QUANTITY_PREFIX = "quantity_"


class SaleFulfillmentPortal(CustomerPortal):
    """The customer's side of after-sales (售后申请): file a request for the
    goods of a delivered order, follow one's requests, write to the team.

    Every route needs a logged-in user and reaches records through that
    user's own access rights (portal record rules): no access token opens
    them. Requests are created as superuser once everything is checked."""

    # Home, counters

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_count" in counters:
            Rma = request.env["sale.rma"]
            values["aftersales_count"] = (
                Rma.search_count(
                    self._prepare_aftersales_domain(request.env.user.partner_id)
                )
                if Rma.has_access("read")
                else 0
            )
        return values

    def _prepare_aftersales_domain(self, partner):
        """The requests of ``partner``'s company and its contacts."""
        return [("partner_id", "child_of", [partner.commercial_partner_id.id])]

    def _get_aftersales_searchbar_sortings(self):
        return {
            "date": {
                "label": request.env._("Newest"),
                "order": "create_date desc, id desc",
            },
            "name": {"label": request.env._("Reference"), "order": "name desc"},
            "state": {"label": request.env._("Status"), "order": "state, id desc"},
        }

    def _get_aftersales_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {
                "label": request.env._("Open"),
                "domain": [("state", "in", OPEN_STATES)],
            },
            "closed": {
                "label": request.env._("Closed"),
                "domain": [("state", "in", ("done", "cancelled"))],
            },
        }

    # List and page of the requests

    @http.route(
        ["/my/aftersales", "/my/aftersales/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_aftersales(self, page=1, sortby=None, filterby=None, **kw):
        """The customer's after-sales requests, newest first."""
        Rma = request.env["sale.rma"]
        sortings = self._get_aftersales_searchbar_sortings()
        filters = self._get_aftersales_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = (
            self._prepare_aftersales_domain(request.env.user.partner_id)
            + filters[filterby]["domain"]
        )
        pager = portal_pager(
            url="/my/aftersales",
            total=Rma.search_count(domain) if Rma.has_access("read") else 0,
            page=page,
            step=self._items_per_page,
            url_args={"sortby": sortby, "filterby": filterby},
        )
        rmas = (
            Rma.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if Rma.has_access("read")
            else Rma
        )
        request.session["my_aftersales_history"] = rmas.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales",
                "rmas": rmas.sudo(),
                "pager": pager,
                "default_url": "/my/aftersales",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("sale_fulfillment.portal_my_aftersales", values)

    @http.route(["/my/aftersales/<int:rma_id>"], type="http", auth="user", website=True)
    def portal_aftersales_page(
        self, rma_id, report_type=None, download=False, message=None, **kw
    ):
        """One request: what was asked, where it stands, the returns, credit
        notes and replacements, and the conversation with the team."""
        try:
            rma_sudo = self._document_check_access("sale.rma", rma_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=rma_sudo,
                report_type=report_type,
                report_ref="sale_fulfillment.action_report_rma",
                download=download,
            )
        values = self._prepare_aftersales_page_values(rma_sudo, message=message)
        values = self._get_page_view_values(
            rma_sudo, None, values, "my_aftersales_history", False
        )
        return request.render("sale_fulfillment.portal_aftersales_page", values)

    def _prepare_aftersales_page_values(self, rma_sudo, message=None):
        """QWeb values of a request's page. Only customer-facing documents:
        credit notes the customer may read on the portal, returns and
        replacements with the order's token for their slips."""
        moves = (rma_sudo.refund_move_ids | rma_sudo.invoice_move_ids).filtered(
            lambda move: move.state == "posted"
        )
        report = request.env["report.sale_fulfillment.report_rma"].sudo()
        order_sudo = rma_sudo.order_id
        # The order's token opens its slips and its page: only for a customer
        # who may read the order anyway.
        order_readable = bool(order_sudo.with_env(request.env)._filtered_access("read"))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales",
                "rma": rma_sudo,
                "message": message,
                "credit_notes": moves.with_env(request.env)
                ._filtered_access("read")
                .sudo(),
                "return_address": report._get_rma_return_addresses(rma_sudo)[
                    rma_sudo.id
                ],
                "is_return": rma_sudo.rma_type in RETURN_TYPES,
                "order_token": order_readable and order_sudo._portal_ensure_token(),
                "order_url": order_readable and order_sudo.get_portal_url(),
            }
        )
        return values

    # Filing a request

    @http.route(
        ["/my/orders/<int:order_id>/aftersales"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_order_aftersales(self, order_id, **post):
        """The after-sales form of a delivered order (GET) and its submission
        (POST, CSRF-checked by Odoo). On a refusal the form comes back with
        what the customer entered and why; nothing is created."""
        order_sudo = self._get_aftersales_order(order_id)
        if not order_sudo:
            return request.redirect("/my")
        if request.httprequest.method != "POST":
            return self._render_aftersales_form(order_sudo)
        try:
            # As the customer (with superuser rights): the request is theirs,
            # which also tells a form sent twice from another contact's.
            rma = order_sudo.with_user(request.env.user)._create_portal_rma(
                **self._parse_aftersales_form(order_sudo, post),
                author=request.env.user.partner_id,
            )
        except UserError as error:
            return self._render_aftersales_form(
                order_sudo, post=post, error=error.args[0]
            )
        return request.redirect(f"{rma.access_url}?message=created")

    def _get_aftersales_order(self, order_id):
        """The order, as superuser, when the current user may read it and it
        is their own (their commercial partner's); else an empty recordset."""
        try:
            order_sudo = self._document_check_access("sale.order", order_id)
        except (AccessError, MissingError):
            return request.env["sale.order"]
        if not order_sudo._can_portal_request_rma(request.env.user):
            return request.env["sale.order"]
        return order_sudo

    def _parse_aftersales_form(self, order_sudo, post):
        """The arguments of ``sale.order._create_portal_rma`` read from the
        submitted form; refuses what cannot be read."""
        quantities = {}
        Line = request.env["sale.order.line"].sudo()
        for key, value in post.items():
            if not key.startswith(QUANTITY_PREFIX) or not (value or "").strip():
                continue
            line_id = key[len(QUANTITY_PREFIX) :]
            try:
                quantity = float(value.replace(",", "."))
            except ValueError:
                quantity = math.nan
            if not math.isfinite(quantity):
                raise UserError(request.env._("Enter the quantities as numbers."))
            if not line_id.isdigit():
                raise UserError(
                    request.env._(
                        "%(order)s has no product you can request with this "
                        "reference: reload the page and try again.",
                        order=order_sudo.name,
                    )
                )
            if quantity:
                quantities[Line.browse(int(line_id))] = quantity
        reason_id = post.get("reason_id") or ""
        return {
            "quantities": quantities,
            "rma_type": post.get("rma_type") or "",
            "reason": request.env["sale.rma.reason"]
            .sudo()
            .browse(int(reason_id) if reason_id.isdigit() else []),
            "description": (post.get("description") or "").strip(),
            "photos": self._read_aftersales_photos(),
        }

    def _read_aftersales_photos(self):
        """``[(file name, content)]`` of the photos sent with the form, at
        most one more than allowed. Each is read up to one byte past the size
        limit: enough to refuse it."""
        max_count, max_bytes = request.env["sale.rma"]._get_portal_photo_limits()
        photos = []
        for upload in request.httprequest.files.getlist("photos"):
            if not upload.filename:
                continue
            # One past the limit is enough to refuse too many: the rest is
            # not read into memory.
            if len(photos) > max_count:
                break
            photos.append((upload.filename, upload.read(max_bytes + 1)))
        return photos

    def _render_aftersales_form(self, order_sudo, post=None, error=None):
        values = self._prepare_aftersales_form_values(
            order_sudo, post=post or {}, error=error
        )
        return request.render("sale_fulfillment.portal_aftersales_form", values)

    def _prepare_aftersales_form_values(self, order_sudo, post, error=None):
        """QWeb values of the after-sales form: what can be requested, and
        what the customer entered when the form comes back with an error."""
        Rma = request.env["sale.rma"]
        labels = dict(Rma._fields["rma_type"]._description_selection(request.env))
        max_count, max_bytes = Rma._get_portal_photo_limits()
        size = f"{max_bytes / (1024 * 1024):g}"
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales_form",
                "aftersales_order": order_sudo,
                "rma_lines": order_sudo._get_portal_rma_lines(),
                "rma_types": [
                    (rma_type, labels[rma_type])
                    for rma_type in order_sudo._get_portal_rma_types()
                ],
                "rma_reasons": order_sudo._get_portal_rma_reasons(),
                "photo_hint": request.env._(
                    "Up to %(count)s photos (JPEG, PNG, GIF or WebP), %(size)s MB "
                    "each.",
                    count=max_count,
                    size=size,
                ),
                "quantity_prefix": QUANTITY_PREFIX,
                "post": post,
                "error": error,
            }
        )
        return values
