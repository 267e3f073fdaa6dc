import re

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import PortalCase


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
