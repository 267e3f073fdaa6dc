from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.sale.controllers.portal import CustomerPortal

from ..const import DELIVERY_ADDRESS_FIELDS

# Session key of the outcome of a change, shown once on the order's page
# after the redirect (post, redirect, get).
FLASH_KEY = "sale_fulfillment_order_change"
# Alert colour of each outcome of a cancellation.
CANCEL_LEVELS = {
    "cancelled": "success",
    "aftersales": "info",
    "unchanged": "info",
    "error": "danger",
}


class SaleOrderChangesPortal(CustomerPortal):
    """The customer changes the delivery address of an order or cancels it on
    its portal page (拦截 / 改地址), once the company has switched
    ``sale_portal_order_changes_enabled`` on.

    Both routes need a logged-in customer who owns the order (its commercial
    partner): no access token opens them. The order's engine does the change
    (``sale.order._change_delivery_address`` and ``_request_cancellation``)
    as superuser, in the customer's name and language."""

    @http.route()
    def portal_order_page(self, order_id, **kw):
        response = super().portal_order_page(order_id, **kw)
        qcontext = getattr(response, "qcontext", None)
        order_sudo = qcontext and qcontext.get("sale_order")
        if order_sudo:
            qcontext.update(self._prepare_order_change_values(order_sudo))
        return response

    def _prepare_order_change_values(self, order_sudo):
        """QWeb values of the change and cancellation forms of the order page:
        what the customer may do (``order_changes``), the address to start
        from, the countries and provinces, and the outcome of the last change
        (once)."""
        flash = request.session.get(FLASH_KEY)
        if flash and flash.get("order_id") == order_sudo.id:
            request.session.pop(FLASH_KEY)
        else:
            flash = None
        changes = order_sudo._get_portal_order_changes(request.env.user)
        values = {"order_changes": changes, "order_change_flash": flash}
        if changes["address"]:
            partner = order_sudo.partner_shipping_id
            address = {
                name: partner[name].id
                if name in ("state_id", "country_id")
                else partner[name] or ""
                for name in DELIVERY_ADDRESS_FIELDS
            }
            if flash and flash.get("form") == "address":
                address.update(flash.get("values") or {})
            values.update(
                {
                    "order_change_address": address,
                    "order_change_countries": request.env["res.country"]
                    .sudo()
                    .search([]),
                    "order_change_states": request.env["res.country.state"]
                    .sudo()
                    .search([]),
                }
            )
        return values

    def _get_order_change_order(self, order_id):
        """The order, with superuser rights in the current user's name, when
        that user may read it and it is their own; else an empty
        recordset."""
        try:
            order_sudo = self._document_check_access("sale.order", order_id)
        except (AccessError, MissingError):
            return request.env["sale.order"]
        if not order_sudo._can_portal_change_order(request.env.user):
            return request.env["sale.order"]
        # Superuser rights in the customer's name: the chatter, the new
        # address and the request say who asked.
        return order_sudo.with_user(request.env.user).sudo()

    def _set_order_change_flash(self, order_sudo, level, text, **values):
        request.session[FLASH_KEY] = {
            "order_id": order_sudo.id,
            "level": level,
            "text": text,
            **values,
        }

    @http.route(
        ["/my/orders/<int:order_id>/delivery_address"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_order_delivery_address(self, order_id, **post):
        """Deliver the order to the address the customer entered (POST,
        CSRF-checked by Odoo); back to the order's page with the outcome."""
        order_sudo = self._get_order_change_order(order_id)
        if not order_sudo:
            return request.redirect("/my")
        values = self._parse_order_change_address(post)
        try:
            if not order_sudo._get_portal_order_changes(request.env.user)["address"]:
                raise UserError(
                    request.env._(
                        "The delivery address of %(order)s can no longer be "
                        "changed here: its delivery has started.",
                        order=order_sudo.name,
                    )
                )
            order_sudo._change_delivery_address(values, source="portal")
        except UserError as error:
            self._set_order_change_flash(
                order_sudo,
                "danger",
                error.args[0],
                form="address",
                values={key: value or "" for key, value in values.items()},
            )
        else:
            self._set_order_change_flash(
                order_sudo,
                "success",
                request.env._(
                    "%(order)s will be delivered to the new address.",
                    order=order_sudo.name,
                ),
            )
        return request.redirect(f"/my/orders/{order_sudo.id}")

    def _parse_order_change_address(self, post):
        """The address values of the submitted form (see
        ``DELIVERY_ADDRESS_FIELDS``), the provinces and countries as ids."""
        values = {}
        for name in DELIVERY_ADDRESS_FIELDS:
            value = (post.get(name) or "").strip()
            if name in ("state_id", "country_id"):
                value = int(value) if value.isdigit() else False
            values[name] = value
        return values

    @http.route(
        ["/my/orders/<int:order_id>/cancellation"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_order_cancellation(self, order_id, reason=None, **post):
        """Cancel the order, or request its cancellation once its delivery has
        started (POST, CSRF-checked by Odoo); back to the order's page with
        the outcome."""
        order_sudo = self._get_order_change_order(order_id)
        if not order_sudo:
            return request.redirect("/my")
        reason = (reason or "").strip()
        if not order_sudo._get_portal_order_changes(request.env.user)["cancel"]:
            self._set_order_change_flash(
                order_sudo,
                "danger",
                request.env._(
                    "%(order)s can no longer be cancelled here: contact us.",
                    order=order_sudo.name,
                ),
            )
        elif not reason:
            self._set_order_change_flash(
                order_sudo,
                "danger",
                request.env._("Tell us why you cancel the order."),
            )
        else:
            result = order_sudo._request_cancellation(reason, source="portal")[
                order_sudo
            ]
            rma = request.env["sale.rma"].sudo().browse(result["rma_id"] or [])
            self._set_order_change_flash(
                order_sudo,
                CANCEL_LEVELS.get(result["status"], "info"),
                result["message"],
                rma_url=rma.access_url if rma else False,
            )
        return request.redirect(f"/my/orders/{order_sudo.id}")
