import io
import random
import re

from PIL import Image

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import (
    PortalCase,
)


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


@tagged("post_install", "-at_install")
class TestPortalSecurity(PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rma = cls.env["sale.rma"]

    def _request(self, order, note=False):
        return self.Rma.create(
            {
                "order_id": order.id,
                "rma_type": "return_refund",
                "reason_id": self.reason.id,
                "description": "Broken on arrival",
                "note": note,
                "line_ids": [
                    Command.create(
                        {"sale_line_id": order.order_line[0].id, "quantity": 1}
                    )
                ],
            }
        )

    def test_another_customers_order_and_requests_cannot_be_reached_by_url(self):
        mine = self._delivered_order()
        theirs = self._delivered_order(partner=self.other_customer)
        their_rma = self._request(theirs, note="<p>THEIR-NOTE</p>")
        self._portal_login()
        for url in (
            f"/my/orders/{theirs.id}",
            f"/my/orders/{theirs.id}/aftersales",
            f"/my/aftersales/{their_rma.id}",
            f"/my/aftersales/{their_rma.id}?report_type=pdf",
            "/my/aftersales/999999",
            "/my/orders/999999/aftersales",
        ):
            page = self.url_open(url)
            self.assertTrue(page.url.endswith("/my"), f"{url} led to {page.url}")
            self._assert_page(page, lacks=[theirs.name, their_rma.name, "THEIR-NOTE"])
        page = self.url_open(
            f"/my/orders/{theirs.id}/aftersales",
            data={
                "csrf_token": self._csrf(),
                "rma_type": "refund",
                "reason_id": str(self.reason.id),
                f"quantity_{theirs.order_line[0].id}": "1",
            },
        )
        self.assertTrue(page.url.endswith("/my"))
        self.assertEqual(self.Rma.search([("order_id", "=", theirs.id)]), their_rma)
        # An access token of the other order opens its page, never its form.
        token = theirs._portal_ensure_token()
        page = self.url_open(f"/my/orders/{theirs.id}/aftersales?access_token={token}")
        self.assertTrue(page.url.endswith("/my"))
        page = self.url_open(f"/my/orders/{theirs.id}?access_token={token}")
        self._assert_page(page, lacks=["Request After-Sales"])
        # My own order still works.
        self.assertEqual(self.url_open(f"/my/orders/{mine.id}").status_code, 200)
        # Without logging in, even the own order's token opens no form.
        self.logout()
        token = mine._portal_ensure_token()
        for url in (
            f"/my/orders/{mine.id}/aftersales?access_token={token}",
            "/my/aftersales",
        ):
            page = self.url_open(url)
            self.assertIn("/web/login", page.url)
        self.assertEqual(self.Rma.search([("order_id", "=", mine.id)]), self.Rma)

    def test_a_portal_user_reads_only_their_own_requests_and_never_the_note(self):
        mine = self._request(self._delivered_order(), note="<p>MY-NOTE</p>")
        theirs = self._request(
            self._delivered_order(partner=self.other_customer), note="<p>THEIR</p>"
        )
        Rma = self.Rma.with_user(self.portal_user)
        self.assertEqual(Rma.search([]), mine)
        self.assertEqual(
            self.env["sale.rma.line"].with_user(self.portal_user).search([]),
            mine.line_ids,
        )
        self.assertEqual(
            mine.with_user(self.portal_user).description, "Broken on arrival"
        )
        with self.assertRaises(AccessError):
            theirs.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            theirs.line_ids.with_user(self.portal_user).read(["quantity"])
        with self.assertRaises(AccessError):
            mine.with_user(self.portal_user).read(["note"])
        self.assertNotIn("note", mine.with_user(self.portal_user).fields_get())
        with self.assertRaises(AccessError):
            mine.with_user(self.portal_user).write({"description": "changed"})
        with self.assertRaises(AccessError):
            Rma.create({"order_id": mine.order_id.id, "rma_type": "refund"})
        # The after-sales team still reads and writes it.
        clerk = new_test_user(
            self.env,
            login="sf_portal_clerk",
            groups="sale_fulfillment.group_aftersales_user",
        )
        self.assertIn("MY-NOTE", str(mine.with_user(clerk).note))
        mine.with_user(clerk).note = "<p>Checked</p>"
        self.assertIn("Checked", str(mine.note))

    def test_the_list_and_the_counter_show_only_their_own_requests(self):
        mine = self._request(self._delivered_order())
        theirs = self._request(self._delivered_order(partner=self.other_customer))
        self._portal_login()
        page = self.url_open("/my/aftersales")
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page,
            has=[mine.name, f'href="/my/aftersales/{mine.id}"'],
            lacks=[theirs.name],
        )
        for sortby in ("date", "name", "state"):
            for filterby in ("all", "open", "closed"):
                page = self.url_open(
                    f"/my/aftersales?sortby={sortby}&filterby={filterby}"
                )
                self.assertEqual(page.status_code, 200)
                self._assert_page(page, lacks=[theirs.name])
        page = self.url_open("/my/aftersales?filterby=closed")
        self._assert_page(page, lacks=[mine.name])
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["aftersales_count"]}
        )
        self.assertEqual(counters["aftersales_count"], 1)
        home = self.url_open("/my/home")
        self._assert_page(
            home, has=['href="/my/aftersales" title="After-Sales Requests"']
        )

    def test_request_page_shows_the_customer_side_and_hides_internal_notes(self):
        order = self._delivered_order()
        rma = self._request(order, note="<p>INTERNAL-RMA-NOTE</p>")
        rma.message_post(
            body="INTERNAL-CHATTER-NOTE",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        rma.message_post(
            body="Please send us a photo.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self._portal_login()
        page = self.url_open(f"/my/aftersales/{rma.id}")
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page,
            has=[rma.name, "Return and Refund", self.reason.name, "Broken on arrival"],
            lacks=["INTERNAL-RMA-NOTE", "INTERNAL-CHATTER-NOTE"],
        )
        messages = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": "sale.rma", "thread_id": rma.id}
        )["data"]["mail.message"]
        bodies = " ".join(str(message["body"]) for message in messages)
        self.assertIn("Please send us a photo.", bodies)
        self.assertNotIn("INTERNAL-CHATTER-NOTE", bodies)

    def test_a_customer_writes_to_the_team_on_their_own_requests_only(self):
        mine = self._request(self._delivered_order())
        mine.message_subscribe(partner_ids=self.handler.partner_id.ids)
        theirs = self._request(self._delivered_order(partner=self.other_customer))
        self._portal_login()
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "sale.rma",
                "thread_id": mine.id,
                "post_data": {
                    "body": "Any news?",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        message = mine.message_ids[:1]
        self.assertEqual(message.author_id, self.customer)
        self.assertIn("Any news?", str(message.body))
        self.assertIn(self.handler.partner_id, message.notified_partner_ids)
        with self.assertRaisesRegex(JsonRpcException, "NotFound"):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "sale.rma",
                    "thread_id": theirs.id,
                    "post_data": {
                        "body": "Let me in",
                        "message_type": "comment",
                        "subtype_xmlid": "mail.mt_comment",
                    },
                },
            )
        self.assertNotIn("Let me in", " ".join(theirs.message_ids.mapped("body")))

    def test_accepted_return_shows_where_to_send_the_goods_and_the_credit_note(self):
        self.company.rma_refund_timing = "immediate"
        order = self._delivered_order()
        self._invoice(order)
        rma = self._request(order)
        rma.action_confirm()
        self.assertEqual(rma.state, "waiting_return")
        rma.refund_move_ids.action_post()
        warehouse_address = self.warehouse.partner_id
        self._portal_login()
        page = self.url_open(f"/my/aftersales/{rma.id}")
        self._assert_page(
            page,
            has=[
                "please send the goods back",
                warehouse_address.name,
                rma.return_picking_ids.name,
                f"/my/picking/pdf/{rma.return_picking_ids.id}?access_token=",
                rma.refund_move_ids.name,
            ],
        )
        slip = self.url_open(
            re.search(
                r'href="(/my/picking/pdf/\d+\?access_token=[\w-]+)"', page.text
            ).group(1)
        )
        self.assertEqual(slip.headers["Content-Type"], "application/pdf")
        pdf = self.url_open(f"/my/aftersales/{rma.id}?report_type=pdf")
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
