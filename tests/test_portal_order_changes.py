from odoo.tests import tagged

from .common import PortalCase, switch_capabilities


@tagged("post_install", "-at_install")
class TestPortalOrderChanges(PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.company, "sale_portal_order_changes_enabled")
        cls.shanghai = cls.env.ref("base.state_cn_SH")

    def _address_data(self, **values):
        return {
            "csrf_token": self._csrf(),
            "name": "Li Lei",
            "phone": "+86 138 0000 0000",
            "email": "li.lei@example.com",
            "street": "88 Huaihai Road",
            "street2": "",
            "city": "Shanghai",
            "zip": "200031",
            "state_id": str(self.shanghai.id),
            "country_id": str(self.env.ref("base.cn").id),
            **values,
        }

    def _post_address(self, order, **values):
        return self.url_open(
            f"/my/orders/{order.id}/delivery_address",
            data=self._address_data(**values),
        )

    def _post_cancel(self, order, reason="Ordered the wrong colour"):
        return self.url_open(
            f"/my/orders/{order.id}/cancellation",
            data={"csrf_token": self._csrf(), "reason": reason},
        )

    def _open(self, order):
        return order.picking_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel")
        )

    def test_customer_changes_the_delivery_address_of_an_order_not_shipped(self):
        order = self._order()
        picking = order.picking_ids
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(
            page,
            has=[
                "Change Delivery Address",
                'id="o_sale_fulfillment_address_form"',
                f'action="/my/orders/{order.id}/delivery_address"',
                'value="1 Test Street"',
                "Cancel Order",
                f'action="/my/orders/{order.id}/cancellation"',
            ],
            lacks=["Request Cancellation"],
        )
        page = self._post_address(order)
        self.assertTrue(page.url.endswith(f"/my/orders/{order.id}"), page.url)
        self._assert_page(
            page,
            has=[
                'id="o_sale_fulfillment_order_change_message"',
                f"{order.name} will be delivered to the new address.",
            ],
        )
        address = order.partner_shipping_id
        self.assertRecordValues(
            address,
            [
                {
                    "name": "Li Lei",
                    "street": "88 Huaihai Road",
                    "state_id": self.shanghai.id,
                    "parent_id": self.customer.id,
                    "type": "delivery",
                    "create_uid": self.portal_user.id,
                }
            ],
        )
        self.assertEqual(picking.partner_id, address)
        self.assertEqual(self.customer.street, "1 Test Street")
        note = order.message_ids.filtered(
            lambda message: "Delivery address changed" in str(message.body)
        )
        self.assertIn(
            f"Delivery address changed by {self.portal_user.name} (customer portal)",
            str(note.body),
        )
        # The message shows once.
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(page, lacks=["will be delivered to the new address"])

    def test_address_change_after_picking_started_is_refused(self):
        order = self._order()
        picking = order.picking_ids
        picking.move_ids.picked = True
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(
            page,
            has=["Request Cancellation"],
            lacks=['id="o_sale_fulfillment_address_form"', ">Cancel Order<"],
        )
        page = self._post_address(order)
        self._assert_page(
            page,
            has=[
                f"The delivery address of {order.name} can no longer be changed "
                "here: its delivery has started."
            ],
        )
        self.assertEqual(order.partner_shipping_id, self.customer)
        self.assertEqual(picking.partner_id, self.customer)

    def test_refused_address_keeps_what_the_customer_entered(self):
        order = self._order()
        self._portal_login()
        page = self._post_address(order, street="  ", city="Suzhou")
        self._assert_page(
            page,
            has=[
                f"The new delivery address of {order.name} needs a street.",
                'value="Suzhou"',
                "alert-danger",
            ],
        )
        self.assertEqual(order.partner_shipping_id, self.customer)

    def test_customer_cancels_an_order_not_shipped(self):
        order = self._order()
        picking = order.picking_ids
        self._portal_login()
        page = self._post_cancel(order)
        self.assertTrue(page.url.endswith(f"/my/orders/{order.id}"), page.url)
        self._assert_page(page, has=[f"{order.name} is cancelled.", "alert-success"])
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertIn(
            "(customer portal): Ordered the wrong colour",
            str(order.message_ids.mapped("body")),
        )
        # Nothing more to offer on a cancelled order.
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(
            page, lacks=["Change Delivery Address", "Request Cancellation"]
        )

    def test_cancellation_after_shipment_opens_an_aftersales_request(self):
        order = self._order()
        shipped = self._ship(order, {self.product_a: 5, self.product_b: 0})
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(
            page,
            has=["Request Cancellation", 'id="o_sale_fulfillment_cancel_form"'],
            lacks=['id="o_sale_fulfillment_address_form"'],
        )
        page = self._post_cancel(order, reason="Too late for the party")
        rma = order.rma_ids
        self.assertEqual(len(rma), 1)
        self._assert_page(
            page,
            has=[
                f"{order.name} cannot be cancelled at once: {shipped.name} has "
                f"already shipped. After-sales request {rma.name} was opened to "
                "stop what has not shipped.",
                f'href="/my/aftersales/{rma.id}"',
            ],
        )
        self.assertEqual(order.state, "sale")
        self.assertRecordValues(
            rma,
            [
                {
                    "rma_type": "cancel",
                    "state": "draft",
                    "request_origin": "portal",
                    "handler_id": self.handler.id,
                    "create_uid": self.portal_user.id,
                }
            ],
        )
        self.assertEqual(rma.activity_ids.user_id, self.handler)
        message = rma.message_ids.filtered(
            lambda m: "Too late for the party" in str(m.body)
        )
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(message.message_type, "comment")
        # The customer reads the request on the portal.
        self.assertEqual(self.url_open(f"/my/aftersales/{rma.id}").status_code, 200)

    def test_another_customers_order_is_refused(self):
        theirs = self._order(partner=self.other_customer)
        self._portal_login()
        for page in (
            self.url_open(f"/my/orders/{theirs.id}"),
            self._post_address(theirs),
            self._post_cancel(theirs),
        ):
            self.assertTrue(page.url.endswith("/my"), page.url)
            self._assert_page(page, lacks=[theirs.name])
        self.assertEqual(theirs.state, "sale")
        self.assertEqual(theirs.partner_shipping_id, self.other_customer)
        # An access token opens the page, never the forms.
        token = theirs._portal_ensure_token()
        page = self.url_open(f"/my/orders/{theirs.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page, lacks=["Change Delivery Address", "o_sale_fulfillment_cancel_form"]
        )
        page = self.url_open(
            f"/my/orders/{theirs.id}/cancellation?access_token={token}",
            data={"csrf_token": self._csrf(), "reason": "Not mine"},
        )
        self.assertTrue(page.url.endswith("/my"), page.url)
        self.assertEqual(theirs.state, "sale")

    def test_setting_off_shows_no_form_and_refuses_the_routes(self):
        switch_capabilities(self.company, "sale_portal_order_changes_enabled", on=False)
        order = self._order()
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page,
            lacks=[
                "Change Delivery Address",
                "o_sale_fulfillment_cancel_form",
                "Request Cancellation",
            ],
        )
        for page in (self._post_address(order), self._post_cancel(order)):
            self.assertTrue(page.url.endswith("/my"), page.url)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_shipping_id, self.customer)

    def test_a_post_without_csrf_token_is_refused(self):
        order = self._order()
        self._portal_login()
        data = self._address_data()
        del data["csrf_token"]
        page = self.url_open(f"/my/orders/{order.id}/delivery_address", data=data)
        self.assertEqual(page.status_code, 400)
        page = self.url_open(
            f"/my/orders/{order.id}/cancellation", data={"reason": "No token"}
        )
        self.assertEqual(page.status_code, 400)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_shipping_id, self.customer)

    def test_a_cancellation_needs_a_reason(self):
        order = self._order()
        self._portal_login()
        page = self._post_cancel(order, reason="   ")
        self._assert_page(page, has=["Tell us why you cancel the order."])
        self.assertEqual(order.state, "sale")

    def test_customer_changes_the_address_then_cancels_in_the_browser(self):
        province = self.env["res.country.state"].create(
            {
                "name": "Tour Province",
                "code": "TOURP",
                "country_id": self.env.ref("base.cn").id,
            }
        )
        order = self._order()
        picking = order.picking_ids
        self.start_tour(
            f"/my/orders/{order.id}",
            "sale_fulfillment_portal_order_changes_tour",
            login=self.portal_user.login,
        )
        address = order.partner_shipping_id
        self.assertRecordValues(
            address,
            [
                {
                    "name": "Li Lei",
                    "street": "88 Huaihai Road",
                    "city": "Shanghai",
                    "state_id": province.id,
                    "parent_id": self.customer.id,
                }
            ],
        )
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(picking.partner_id, address)
