import email
import socket
import subprocess
import tempfile
import unicodedata
from datetime import date
from email import policy
from unittest.mock import patch

from aiosmtpd.controller import Controller

import odoo
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import KpiCase, load_chinese


class TestDigest(KpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader_cn = cls.env["res.partner"].create(
            {"name": "王经理", "email": "wang@example.com", "lang": "zh_CN"}
        )
        cls.manager.partner_id.lang = "en_US"
        cls.digest.write(
            {
                "partner_ids": [Command.link(cls.reader_cn.id)],
                "periodicity": "monthly",
                "next_run_date": date(2026, 4, 1),
            }
        )

    def _send_now(self, digest=None):
        digest = (digest or self.digest).with_user(self.manager)
        before = self.env["mail.mail"].search([])
        with patch.object(fields.Date, "context_today", lambda *args: date(2026, 4, 1)):
            # The queue is not sent in tests: only the mails remain.
            digest.action_send_now()
        return self.env["mail.mail"].search([]) - before

    def test_send_now_mails_each_language_its_own_digest(self):
        self._march()
        mails = self._send_now()
        self.assertEqual(len(mails), 2)
        english = mails.filtered(
            lambda mail: self.manager.partner_id in mail.recipient_ids
        )
        chinese = mails - english
        self.assertEqual(chinese.recipient_ids, self.reader_cn)
        self.assertIn("KPI Digest", english.subject)
        self.assertIn("03/01/2026 to 03/31/2026", english.subject)
        self.assertIn("2026年03月01日", chinese.subject)
        body = english.body_html
        for text in ("Orders", "Revenue (untaxed)", "460.00", "Top Products"):
            self.assertIn(text, body)
        self.assertIn(self.product_b.name, body)
        self.assertIn("+300.0 % vs. previous period", body)
        self.assertEqual(english.attachment_ids.mimetype, "application/pdf")
        self.assertEqual(len(chinese.attachment_ids), 1)
        self.assertEqual(self.digest.last_sent_on.date(), fields.Date.today())
        self.assertEqual(
            self.digest.next_run_date, date(2026, 4, 1), "sending now does not move it"
        )

    def test_each_language_computes_the_kpis_once_for_body_and_pdf(self):
        digest_class = type(self.digest)
        compute = digest_class._compute_kpis
        with patch.object(
            digest_class, "_compute_kpis", autospec=True, side_effect=compute
        ) as spy:
            mails = self._send_now()
        self.assertEqual(len(mails.attachment_ids), 2, "one PDF per language")
        self.assertEqual(spy.call_count, 2, "the PDF reuses the body's figures")

    def test_the_digest_sends_only_the_kpis_it_includes(self):
        self.digest.write(
            {"kpi_products": False, "kpi_regions": False, "attach_pdf": False}
        )
        mails = self._send_now()
        english = mails.filtered(
            lambda mail: self.manager.partner_id in mail.recipient_ids
        )
        self.assertNotIn("Top Products", english.body_html)
        self.assertNotIn("Top Regions", english.body_html)
        self.assertIn("Repeat-purchase rate", english.body_html)
        self.assertFalse(mails.attachment_ids)

    def test_the_digest_shows_the_channels_and_the_satisfaction(self):
        self._survey_march(*self._march())
        mails = self._send_now()
        english = mails.filtered(
            lambda mail: self.manager.partner_id in mail.recipient_ids
        )
        body = english.body_html
        for text in (
            "Channels",
            "KPI Phone",
            "220.00",
            "47.8 %",
            "No Channel",
            "Satisfaction",
            "Average rating",
            "2.5 / 5",
            "Rating response rate",
            "66.7 %",
        ):
            self.assertIn(text, body)
        self.assertLess(
            body.index("KPI Phone"), body.index("KPI Web Shop"), "by revenue"
        )

    def test_a_digest_without_channels_and_satisfaction_leaves_them_out(self):
        self._survey_march(*self._march())
        self.digest.write({"kpi_channels": False, "kpi_satisfaction": False})
        mails = self._send_now()
        body = mails.filtered(
            lambda mail: self.manager.partner_id in mail.recipient_ids
        ).body_html
        self.assertNotIn("KPI Phone", body)
        self.assertNotIn("Average rating", body)
        self.assertIn("Repeat-purchase rate", body)

    def test_the_statistics_pdf_shows_the_channels_and_the_satisfaction(self):
        load_chinese(self.env)
        self.phone.name = "电话订单"
        self.web.name = "微信小程序"
        self._survey_march(*self._march())
        pdf = self.digest.with_context(
            force_report_rendering=True, lang="zh_CN"
        )._render_statistics_pdf(MARCH_FROM, MARCH_TO)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", file.name, "-"],
                capture_output=True,
                check=True,
            ).stdout.decode()
        # CJK fonts map some ideographs to their compatibility radicals.
        text = unicodedata.normalize("NFKC", text)
        self.assertRegex(text, r"电话订单\s+2\s+\$ 220\.00\s+47\.8 %")
        self.assertRegex(text, r"微信小程序\s+1\s+\$ 200\.00\s+43\.5 %")
        self.assertIn("2.5 / 5", text, "the average rating")

    def test_a_digest_without_recipient_is_refused(self):
        self.digest.write(
            {"user_ids": [Command.clear()], "partner_ids": [Command.clear()]}
        )
        with self.assertRaisesRegex(UserError, "KPI Digest has no recipient"):
            self._send_now()

    def test_the_scheduled_action_sends_the_due_digests_and_moves_them_on(self):
        later = self.digest.copy({"name": "Later", "next_run_date": date(2026, 4, 2)})
        weekly = self.digest.copy({"name": "Weekly", "periodicity": "weekly"})
        weekly.next_run_date = date(2026, 3, 30)
        before = self.env["mail.mail"].search([])
        with patch.object(fields.Date, "context_today", lambda *args: date(2026, 4, 1)):
            self.env["sale.fulfillment.digest"]._cron_send_due_digests()
        mails = self.env["mail.mail"].search([]) - before
        self.assertEqual(set(mails.mapped("res_id")), {self.digest.id, weekly.id})
        self.assertEqual(self.digest.next_run_date, date(2026, 5, 1))
        self.assertEqual(weekly.next_run_date, date(2026, 4, 6), "the next Monday")
        self.assertEqual(later.next_run_date, date(2026, 4, 2))
        self.assertFalse(later.last_sent_on)

    def test_periods_of_each_periodicity(self):
        digest = self.digest
        run = date(2026, 4, 1)
        for periodicity, period, following in (
            ("daily", (date(2026, 3, 31), date(2026, 3, 31)), date(2026, 4, 2)),
            ("weekly", (date(2026, 3, 23), date(2026, 3, 29)), date(2026, 4, 6)),
            ("monthly", (date(2026, 3, 1), date(2026, 3, 31)), date(2026, 5, 1)),
        ):
            digest.periodicity = periodicity
            self.assertEqual(digest._get_period(run), period)
            self.assertEqual(digest._get_next_run_date(periodicity, run), following)

    def test_the_statistics_report_prints_the_kpis_of_the_period(self):
        self._march()
        wizard = self.env["sale.fulfillment.statistics.wizard"].with_user(self.manager)
        wizard = wizard.create({"date_from": MARCH_FROM, "date_to": MARCH_TO})
        action = wizard.action_print()
        self.assertEqual(
            action["report_name"], "sale_fulfillment.report_order_statistics"
        )
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(
                "sale_fulfillment.action_report_order_statistics",
                [],
                data=action["data"],
            )
        )
        html = html.decode()
        self.assertIn("Order Statistics", html)
        self.assertIn("460.00", html)
        self.assertIn(self.zhejiang.name, html)

    def test_print_statistics_button_prints_the_digest_period(self):
        self._march()
        action = self.digest.with_user(self.manager).action_print_statistics()
        self.assertEqual(
            action["report_name"], "sale_fulfillment.report_order_statistics"
        )
        self.assertEqual(action["context"]["active_ids"], self.digest.ids)
        with patch.object(fields.Date, "context_today", lambda *args: date(2026, 4, 1)):
            html, _format = (
                self.env["ir.actions.report"]
                .with_user(self.manager)
                ._render_qweb_html(
                    "sale_fulfillment.action_report_order_statistics", self.digest.ids
                )
            )
        self.assertIn("460.00", html.decode(), "March, the month before 1 April")

    def test_a_period_ending_before_it_begins_cannot_be_printed(self):
        wizard = self.env["sale.fulfillment.statistics.wizard"].create(
            {"date_from": MARCH_TO, "date_to": MARCH_FROM}
        )
        with self.assertRaisesRegex(UserError, "The period must end after it begins"):
            wizard.action_print()


MARCH_FROM, MARCH_TO = date(2026, 3, 1), date(2026, 3, 31)


def _unguarded(method):
    def call(*args, **kwargs):
        with patch.object(odoo.modules.module, "current_test", None):
            return method(*args, **kwargs)

    return call


class _Inbox:
    """aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@tagged("post_install", "-at_install")
class TestDigestSmtp(HttpCase):
    """The digest goes out through a real SMTP server on localhost, with the
    statistics report rendered to PDF by wkhtmltopdf."""

    def setUp(self):
        super().setUp()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.inbox = _Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        self.env["ir.mail_server"].search([]).active = False
        self.env["ir.mail_server"].create(
            {
                "name": "Local test SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
            }
        )

    def test_a_digest_reaches_a_real_smtp_server_with_its_pdf(self):
        load_chinese(self.env)
        company = self.env.company
        company.email = "orders@example.com"
        partner = self.env["res.partner"].create(
            {"name": "王读者", "email": "reader@example.com", "lang": "zh_CN"}
        )
        manager = new_test_user(
            self.env,
            login="sf_smtp_manager",
            groups="sales_team.group_sale_manager",
            context={"no_reset_password": True},
        )
        digest = self.env["sale.fulfillment.digest"].create(
            {
                "name": "SMTP Digest",
                "periodicity": "daily",
                "partner_ids": [Command.link(partner.id)],
                "tz": "UTC",
            }
        )
        # Odoo neither runs wkhtmltopdf nor talks to SMTP while a test runs:
        # ask for the real PDF, and lift the SMTP guard inside the mail server's
        # own connect and send only (the report's HTTP requests need it).
        server = type(self.env["ir.mail_server"])
        with (
            patch.object(server, "connect", _unguarded(server.connect)),
            patch.object(server, "send_email", _unguarded(server.send_email)),
        ):
            digest.with_user(manager).with_context(
                force_report_rendering=True
            ).action_send_now()
        self.assertEqual(len(self.inbox.envelopes), 1)
        envelope = self.inbox.envelopes[0]
        self.assertEqual(envelope.rcpt_tos, ["reader@example.com"])
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.assertIn("SMTP Digest", message["Subject"])
        self.assertIn("reader@example.com", message["To"])
        html = message.get_body(("html",)).get_content()
        self.assertIn("营业额（未税）", html, "in the reader's language")
        [attachment] = list(message.iter_attachments())
        self.assertEqual(attachment.get_content_type(), "application/pdf")
        self.assertTrue(attachment.get_filename().startswith("订单统计"))
        pdf = attachment.get_content()
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            text = subprocess.run(
                ["pdftotext", file.name, "-"], capture_output=True, check=True
            ).stdout.decode()
        # The report's Latin text is drawn in a web font pdftotext cannot read
        # back; Chinese falls back to the system's CJK font, which it can.
        self.assertIn("订单统计", text)
        self.assertIn("客单价", text)
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", digest._name), ("res_id", "=", digest.id)]
            ),
            0,
            "sent and deleted",
        )
