import io
import random

from PIL import Image

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import PortalCase


def make_png(size=(8, 8), color="red"):
    """A real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestPortalAftersales(PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rma = cls.env["sale.rma"]

    def _form_data(self, order, quantities, **values):
        """The fields the after-sales form posts: ``quantities`` maps sale
        lines to quantities."""
        data = {
            "csrf_token": self._csrf(),
            "rma_type": "return_refund",
            "reason_id": str(self.reason.id),
            "description": "The cups arrived cracked.",
            **{f"quantity_{line.id}": str(qty) for line, qty in quantities.items()},
        }
        data.update(values)
        return data

    def _submit(self, order, quantities, photos=(), **values):
        """Post the after-sales form of ``order`` as the logged-in customer."""
        return self.url_open(
            f"/my/orders/{order.id}/aftersales",
            data=self._form_data(order, quantities, **values),
            files=[("photos", photo) for photo in photos] or None,
        )

    def _line(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)

    def _assert_refused(self, page, message, order):
        """The form came back with ``message`` and nothing was filed."""
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/orders/{order.id}/aftersales", page.url)
        self._assert_page(page, has=[message, 'id="aftersales_error"'])
        self.assertFalse(self.Rma.search([("order_id", "=", order.id)]))

    def test_customer_files_a_request_with_a_photo(self):
        order = self._delivered_order()
        cup, tray = self._line(order, self.product_a), self._line(order, self.product_b)
        self._portal_login()
        form = self.url_open(f"/my/orders/{order.id}/aftersales")
        self.assertEqual(form.status_code, 200)
        self._assert_page(
            form,
            has=[
                "Fulfillment Cup",
                "Fulfillment Tray",
                f'name="quantity_{cup.id}"',
                'max="5"',
                'value="return_refund"',
                'value="exchange"',
                'value="refund"',
                self.reason.name,
                'accept="image/*"',
            ],
            lacks=['value="reship"', 'value="cancel"'],
        )
        png = make_png()
        page = self._submit(
            order,
            {cup: 3, tray: 0},
            photos=[("cracked.png", png, "image/png")],
            description="The cups arrived cracked.\nThree of them.",
        )
        rma = self.Rma.search([("order_id", "=", order.id)])
        self.assertEqual(len(rma), 1)
        self.assertTrue(page.url.endswith(f"/my/aftersales/{rma.id}?message=created"))
        self._assert_page(page, has=["Thank you!", rma.name, "Draft"])
        self.assertRecordValues(
            rma,
            [
                {
                    "state": "draft",
                    "request_origin": "portal",
                    "rma_type": "return_refund",
                    "reason_id": self.reason.id,
                    "partner_id": self.customer.id,
                    "handler_id": self.handler.id,
                    "description": "The cups arrived cracked.\nThree of them.",
                }
            ],
        )
        self.assertEqual(
            [(line.sale_line_id, line.quantity) for line in rma.line_ids], [(cup, 3)]
        )
        # Filed by the customer, not by OdooBot.
        self.assertEqual(rma.create_uid, self.portal_user)
        activity = rma.activity_ids
        self.assertEqual(activity.user_id, self.handler)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertIn(self.handler.partner_id, rma.message_partner_ids)
        self.assertIn(self.customer, rma.message_partner_ids)
        message = rma.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn("Three of them.", str(message.body))
        self.assertEqual(message.attachment_ids.name, "cracked.png")
        self.assertEqual(message.attachment_ids.mimetype, "image/png")
        self.assertEqual(message.attachment_ids.raw, png)
        self.assertEqual(
            (message.attachment_ids.res_model, message.attachment_ids.res_id),
            ("sale.rma", rma.id),
        )
        # The customer sees the photo in the request's chatter, through an
        # access token.
        messages = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": "sale.rma", "thread_id": rma.id}
        )["data"]["mail.message"]
        (photo,) = [
            attachment
            for message in messages
            for attachment in message["attachment_ids"]
        ]
        self.assertEqual(photo["name"], "cracked.png")
        self.assertTrue(photo["access_token"])
        image = self.url_open(
            f"/web/content/{photo['id']}?access_token={photo['access_token']}"
        )
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.content, png)
        # Asked again, only what is left is offered.
        form = self.url_open(f"/my/orders/{order.id}/aftersales")
        self._assert_page(form, has=[f'name="quantity_{cup.id}"', 'max="2"'])

    def test_a_form_sent_twice_files_one_request(self):
        order = self._delivered_order()
        cup = self._line(order, self.product_a)
        self._portal_login()
        first = self._submit(order, {cup: 5})
        again = self._submit(order, {cup: 5})
        rma = self.Rma.search([("order_id", "=", order.id)])
        self.assertEqual(len(rma), 1)
        self.assertEqual(first.url, again.url)
        self.assertTrue(again.url.endswith(f"/my/aftersales/{rma.id}?message=created"))
        # Another request is another request, as far as quantities allow.
        other = self._submit(order, {self._line(order, self.product_b): 1})
        self.assertEqual(self.Rma.search_count([("order_id", "=", order.id)]), 2)
        self.assertNotEqual(other.url, first.url)

    def test_salesperson_handles_requests_when_the_company_names_nobody(self):
        self.company.rma_portal_user_id = False
        order = self._delivered_order()
        self._portal_login()
        self._submit(order, {self._line(order, self.product_b): 1}, rma_type="refund")
        rma = self.Rma.search([("order_id", "=", order.id)])
        self.assertEqual(rma.handler_id, self.salesman)
        self.assertEqual(rma.activity_ids.user_id, self.salesman)
        self.assertEqual(rma.rma_type, "refund")

    def test_team_leader_then_an_aftersales_manager_handle_unassigned_requests(
        self,
    ):
        self.company.rma_portal_user_id = False
        leader = new_test_user(
            self.env,
            login="sf_portal_leader",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        team = self.env["crm.team"].create({"name": "Web Shop", "user_id": leader.id})
        order = self._delivered_order()
        order.sudo().write({"user_id": False, "team_id": team.id})
        self._portal_login()
        self._submit(order, {self._line(order, self.product_b): 1}, rma_type="refund")
        rma = self.Rma.search([("order_id", "=", order.id)])
        self.assertEqual(rma.handler_id, leader)
        self.assertEqual(rma.activity_ids.user_id, leader)

        manager = new_test_user(
            self.env,
            login="sf_portal_as_manager",
            groups="sale_fulfillment.group_aftersales_manager",
        )
        other = self._delivered_order()
        other.sudo().write({"user_id": False, "team_id": False})
        managers = self.env.ref("sale_fulfillment.group_aftersales_manager").users
        expected = managers.filtered(
            lambda user: (
                user.active
                and not user.share
                and user.id != 1
                and self.company in user.company_ids
            )
        ).sorted("id")[:1]
        self.assertIn(manager, managers)
        self._submit(other, {self._line(other, self.product_b): 1}, rma_type="refund")
        rma = self.Rma.search([("order_id", "=", other.id)])
        self.assertTrue(rma.handler_id)
        self.assertEqual(rma.handler_id, expected)
        self.assertEqual(rma.activity_ids.user_id, expected)

    def test_a_photo_named_as_another_type_is_stored_as_what_it_is(self):
        order = self._delivered_order()
        self._portal_login()
        png = make_png()
        self._submit(
            order,
            {self._line(order, self.product_a): 1},
            photos=[("scan.pdf", png, "application/pdf")],
        )
        rma = self.Rma.search([("order_id", "=", order.id)])
        attachment = rma.message_ids.attachment_ids
        self.assertEqual(attachment.name, "scan.png")
        self.assertEqual(attachment.mimetype, "image/png")

    def test_customers_without_a_portal_account_get_no_dead_view_button(self):
        order = self._delivered_order()
        rma = self.env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "refund",
                "reason_id": self.reason.id,
                "line_ids": [
                    Command.create(
                        {"sale_line_id": order.order_line[0].id, "quantity": 1}
                    )
                ],
            }
        )

        def customer_button(rma):
            groups = rma._notify_get_recipients_groups(
                self.env["mail.message"], "After-Sales Request"
            )
            (options,) = [
                opts for name, _f, opts in groups if name == "portal_customer"
            ]
            return options["has_button_access"]

        self.assertTrue(customer_button(rma))
        self.portal_user.active = False
        self.assertFalse(customer_button(rma))

    def test_more_than_returnable_is_refused(self):
        order = self._delivered_order()
        self._portal_login()
        page = self._submit(order, {self._line(order, self.product_a): 6})
        self._assert_refused(
            page, "You can request at most 5 Units of Fulfillment Cup.", order
        )
        # The customer's input comes back with the message.
        self._assert_page(
            page,
            has=[
                f'name="quantity_{self._line(order, self.product_a).id}" value="6"',
                "The cups arrived cracked.",
            ],
        )

    def test_quantities_in_another_open_request_are_not_offered_again(self):
        order = self._delivered_order()
        cup = self._line(order, self.product_a)
        self.Rma.create(
            {
                "order_id": order.id,
                "rma_type": "refund",
                "line_ids": [Command.create({"sale_line_id": cup.id, "quantity": 4})],
            }
        )
        self._portal_login()
        page = self._submit(order, {cup: 2})
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page, has=["You can request at most 1 Units of Fulfillment Cup."]
        )
        self.assertEqual(self.Rma.search_count([("order_id", "=", order.id)]), 1)

    def test_a_line_of_another_order_is_refused(self):
        order = self._delivered_order()
        other = self._delivered_order()
        self._portal_login()
        page = self._submit(order, {other.order_line[0]: 1})
        self._assert_refused(
            page, "has no product you can request with this reference", order
        )
        self.assertFalse(self.Rma.search([("order_id", "=", other.id)]))

    def test_a_type_not_offered_is_refused(self):
        order = self._delivered_order()
        self._portal_login()
        for rma_type in ("reship", "cancel", "nonsense"):
            page = self._submit(
                order, {self._line(order, self.product_a): 1}, rma_type=rma_type
            )
            self._assert_refused(
                page, "Choose one of the request types offered for this order.", order
            )

    def test_a_request_without_any_line_is_refused(self):
        order = self._delivered_order()
        self._portal_login()
        page = self._submit(
            order,
            {
                self._line(order, self.product_a): 0,
                self._line(order, self.product_b): 0,
            },
        )
        self._assert_refused(
            page, "Enter the quantity of at least one product to request.", order
        )
        page = self._submit(order, {self._line(order, self.product_a): -2})
        self._assert_refused(
            page, "Enter a quantity above zero for Fulfillment Cup.", order
        )
        for value in ("two", "nan", "inf"):
            page = self._submit(order, {self._line(order, self.product_a): value})
            self._assert_refused(page, "Enter the quantities as numbers.", order)

    def test_a_reason_of_another_company_is_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Tea Co."})
        foreign = self.env["sale.rma.reason"].create(
            {"name": "Foreign reason", "company_id": other_company.id}
        )
        order = self._delivered_order()
        self._portal_login()
        form = self.url_open(f"/my/orders/{order.id}/aftersales")
        self._assert_page(form, lacks=["Foreign reason"])
        for reason_id in (str(foreign.id), ""):
            page = self._submit(
                order, {self._line(order, self.product_a): 1}, reason_id=reason_id
            )
            self._assert_refused(page, "Choose one of the reasons offered.", order)

    def test_an_order_not_delivered_yet_offers_nothing(self):
        order = self._order()
        self._portal_login()
        form = self.url_open(f"/my/orders/{order.id}/aftersales")
        self.assertEqual(form.status_code, 200)
        self._assert_page(
            form,
            has=["Nothing of this order can be requested now"],
            lacks=['id="aftersales_form"'],
        )
        order_page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(order_page, lacks=["Request After-Sales"])
        page = self._submit(order, {self._line(order, self.product_a): 1})
        self._assert_refused(
            page, f"Nothing of {order.name} can be requested now", order
        )

    def test_the_order_page_offers_a_request_once_goods_are_delivered(self):
        order = self._delivered_order()
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(
            page,
            has=[
                "Request After-Sales",
                f'href="/my/orders/{order.id}/aftersales"',
            ],
        )

    def test_a_file_that_is_not_an_image_is_refused(self):
        order = self._delivered_order()
        self._portal_login()
        for name, content in (
            ("photo.png", b"#!/bin/sh\necho not an image\n"),
            (
                "drawing.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                b"</svg>",
            ),
            ("broken.png", make_png()[:40]),
        ):
            page = self._submit(
                order,
                {self._line(order, self.product_a): 1},
                photos=[(name, content, "image/png")],
            )
            self.assertEqual(page.status_code, 200)
            self._assert_page(page, has=[name, 'id="aftersales_error"'])
            self.assertFalse(self.Rma.search([("order_id", "=", order.id)]))
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "sale.rma"), ("name", "in", ["photo.png"])]
            )
        )

    def test_too_many_or_too_large_photos_are_refused(self):
        order = self._delivered_order()
        self._portal_login()
        count, max_bytes = self.Rma._get_portal_photo_limits()
        page = self._submit(
            order,
            {self._line(order, self.product_a): 1},
            photos=[
                (f"p{index}.png", make_png(), "image/png") for index in range(count + 1)
            ],
        )
        self._assert_refused(
            page, f"Attach at most {count} photos to a request.", order
        )
        # Random pixels do not compress: a photo just above the limit.
        side = int((max_bytes / 3) ** 0.5) + 16
        noise = Image.frombytes(
            "RGB", (side, side), random.Random(9).randbytes(side * side * 3)
        )
        buffer = io.BytesIO()
        noise.save(buffer, format="PNG")
        self.assertGreater(len(buffer.getvalue()), max_bytes)
        page = self._submit(
            order,
            {self._line(order, self.product_a): 1},
            photos=[("huge.png", buffer.getvalue(), "image/png")],
        )
        self._assert_refused(page, "huge.png is too large", order)

    def test_a_post_without_csrf_token_is_refused(self):
        order = self._delivered_order()
        self._portal_login()
        data = self._form_data(order, {self._line(order, self.product_a): 1})
        del data["csrf_token"]
        page = self.url_open(f"/my/orders/{order.id}/aftersales", data=data)
        self.assertEqual(page.status_code, 400)
        data["csrf_token"] = "forged"
        page = self.url_open(f"/my/orders/{order.id}/aftersales", data=data)
        self.assertEqual(page.status_code, 400)
        self.assertFalse(self.Rma.search([("order_id", "=", order.id)]))
