from lxml import etree

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from .common import FulfillmentCase, load_chinese, read_as, switch_review_on


class ChannelCase(FulfillmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Channels are tested here, numbering in test_numbering*.py.
        cls.env["sale.order.numbering"].search([]).action_archive()
        cls.phone = cls.env.ref("utm.utm_medium_phone")
        cls.email = cls.env.ref("utm.utm_medium_email")
        cls.marketplace = cls.env.ref("sale_fulfillment.utm_medium_marketplace")
        cls.store = cls.env.ref("sale_fulfillment.utm_medium_store")
        cls.telesales = cls.env["crm.team"].create(
            {
                "name": "Telesales",
                "sale_default_medium_id": cls.phone.id,
                "member_ids": [Command.link(cls.salesman.id)],
            }
        )
        cls.email_team = cls.env["crm.team"].create(
            {"name": "Email Desk", "sale_default_medium_id": cls.email.id}
        )
        cls.company.sale_default_medium_id = cls.store

    def _order(self, user=None, **vals):
        user = user or self.salesman
        return (
            self.env["sale.order"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": user.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_a.id, "product_uom_qty": 1}
                        )
                    ],
                    **vals,
                }
            )
            .with_env(self.env)
        )


@tagged("post_install", "-at_install")
class TestChannelData(ChannelCase):
    def test_default_channels_reuse_odoo_media_and_add_marketplace_and_store(self):
        self.assertEqual(self.marketplace._name, "utm.medium")
        self.assertEqual(self.marketplace.name, "Marketplace")
        self.assertEqual(self.store.name, "Store")
        for xmlid in (
            "utm.utm_medium_website",
            "utm.utm_medium_phone",
            "utm.utm_medium_email",
            "utm.utm_medium_direct",
        ):
            self.assertTrue(self.env.ref(xmlid).active, xmlid)

    def test_a_medium_of_the_same_name_is_taken_over_not_duplicated(self):
        Medium = self.env["utm.medium"]
        kiosk = Medium.create({"name": "Kiosk"})
        Medium._load_sale_channels([("utm_medium_test_kiosk", "kiosk")])
        Medium._load_sale_channels([("utm_medium_test_kiosk", "kiosk")])
        self.assertEqual(self.env.ref("sale_fulfillment.utm_medium_test_kiosk"), kiosk)
        self.assertEqual(Medium.search_count([("name", "ilike", "kiosk")]), 1)

    def test_loading_the_channels_again_recreates_a_deleted_one_only(self):
        Medium = self.env["utm.medium"]
        Medium._load_sale_channels([("utm_medium_test_fair", "Trade Fair")])
        fair = self.env.ref("sale_fulfillment.utm_medium_test_fair")
        fair.unlink()
        Medium._load_sale_channels(
            [("utm_medium_test_fair", "Trade Fair"), ("utm_medium_store", "Store")]
        )
        self.assertEqual(self.env.ref("sale_fulfillment.utm_medium_store"), self.store)
        self.assertEqual(
            self.env.ref("sale_fulfillment.utm_medium_test_fair").name, "Trade Fair"
        )


@tagged("post_install", "-at_install")
class TestOrderChannel(ChannelCase):
    def test_order_without_channel_gets_the_default_of_its_team(self):
        order = self._order()
        self.assertEqual(order.team_id, self.telesales, "the team Odoo gives it")
        self.assertEqual(order.medium_id, self.phone)

    def test_team_without_default_falls_back_to_the_company_default(self):
        self.telesales.sale_default_medium_id = False
        self.assertEqual(self._order().medium_id, self.store)

    def test_team_chosen_on_the_order_decides_the_default(self):
        order = self._order(team_id=self.email_team.id)
        self.assertEqual(order.team_id, self.email_team)
        self.assertEqual(order.medium_id, self.email)

    def test_explicit_channel_is_kept(self):
        self.assertEqual(
            self._order(medium_id=self.marketplace.id).medium_id, self.marketplace
        )

    def test_channel_given_as_default_is_kept(self):
        # As the website's UTM cookies give it, through default_get.
        order = (
            self.env["sale.order"]
            .with_context(default_medium_id=self.marketplace.id)
            .create({"partner_id": self.customer.id, "team_id": self.telesales.id})
        )
        self.assertEqual(order.medium_id, self.marketplace)

    def test_no_default_anywhere_leaves_the_channel_empty(self):
        self.telesales.sale_default_medium_id = False
        self.company.sale_default_medium_id = False
        self.assertFalse(self._order().medium_id)

    def test_quotation_form_gets_the_default_on_save_and_keeps_a_choice(self):
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        default = form.save()
        self.assertEqual(default.medium_id, self.phone)
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        form.medium_id = self.marketplace
        self.assertEqual(form.save().medium_id, self.marketplace)

    def test_duplicated_order_keeps_its_channel(self):
        order = self._order(medium_id=self.marketplace.id)
        self.assertEqual(order.copy().medium_id, self.marketplace)

    def test_batch_of_orders_gets_each_its_default(self):
        orders = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                [
                    {"partner_id": self.customer.id},
                    {"partner_id": self.customer.id, "team_id": self.email_team.id},
                    {"partner_id": self.customer.id, "medium_id": self.store.id},
                ]
            )
        )
        self.assertEqual(
            orders.mapped("medium_id"), self.phone | self.email | self.store
        )

    def test_orders_group_by_channel(self):
        self._order()
        self._order(medium_id=self.marketplace.id)
        self._order(medium_id=self.marketplace.id)
        counts = dict(
            self.env["sale.order"]._read_group(
                [("partner_id", "=", self.customer.id)], ["medium_id"], ["__count"]
            )
        )
        self.assertEqual(counts, {self.phone: 1, self.marketplace: 2})

    def test_settings_set_the_company_default_channel(self):
        admin = new_test_user(
            self.env,
            login="sf_channel_admin",
            groups="base.group_system,sales_team.group_sale_manager",
        )
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.sale_default_medium_id = self.marketplace
        form.save().execute()
        self.assertEqual(self.company.sale_default_medium_id, self.marketplace)


@tagged("post_install", "-at_install")
class TestChannelReviewRule(ChannelCase):
    def test_rule_scoped_to_marketplace_holds_marketplace_orders_only(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {
                "name": "Marketplace orders above 1",
                "rule_type": "amount_above",
                "threshold": 1,
                "filter_domain": f"[('medium_id', '=', {self.marketplace.id})]",
            }
        )
        marketplace = self._order(medium_id=self.marketplace.id)
        phone = self._order(medium_id=self.phone.id)
        self._confirm(marketplace | phone)
        self.assertEqual(marketplace.state, "draft")
        self.assertEqual(marketplace.review_state, "to_review")
        self.assertIn("Order total", marketplace.review_summary)
        self.assertEqual(phone.state, "sale")
        self.assertEqual(phone.review_state, "approved")


@tagged("post_install", "-at_install")
class TestChannelViews(ChannelCase):
    def _arch(self, model, view_xmlid, view_type):
        view = (
            self.env[model]
            .with_user(self.salesman)
            .get_view(self.env.ref(view_xmlid).id, view_type)
        )
        return etree.fromstring(view["arch"])

    def test_salesperson_sees_channel_and_source_beside_the_order_details(self):
        arch = self._arch("sale.order", "sale.view_order_form", "form")
        details = arch.xpath("//group[@name='order_details']")[0]
        self.assertTrue(details.xpath("field[@name='medium_id']"))
        self.assertTrue(details.xpath("field[@name='source_id']"))
        self.assertEqual(len(arch.xpath("//field[@name='medium_id']")), 1)
        self.assertEqual(
            self.env["sale.order"]._fields["medium_id"]._description_string(self.env),
            "Channel",
        )

    def test_order_lists_and_search_offer_the_channel(self):
        for xmlid in ("sale.view_quotation_tree", "sale.view_order_tree"):
            arch = self._arch("sale.order", xmlid, "list")
            (column,) = arch.xpath("//field[@name='medium_id']")
            self.assertEqual(column.get("optional"), "show", xmlid)
        arch = self._arch("sale.order", "sale.view_sales_order_filter", "search")
        self.assertTrue(arch.xpath("//field[@name='medium_id']"))
        (group_by,) = arch.xpath("//filter[@name='group_by_medium']")
        self.assertIn("medium_id", group_by.get("context"))

    def test_team_form_has_the_default_channel(self):
        arch = self._arch("crm.team", "sales_team.crm_team_view_form", "form")
        self.assertTrue(arch.xpath("//field[@name='sale_default_medium_id']"))

    def test_settings_offer_the_default_channel_and_the_numbering_schemes(self):
        view = self.env["res.config.settings"].get_view(
            self.env.ref("sale.res_config_settings_view_form").id, "form"
        )
        arch = etree.fromstring(view["arch"])
        (block,) = arch.xpath("//block[@name='sale_channel_setting_container']")
        self.assertTrue(block.xpath(".//field[@name='sale_default_medium_id']"))
        action = self.env.ref("sale_fulfillment.sale_order_numbering_action")
        self.assertTrue(block.xpath(f".//button[@name='{action.id}']"))


@tagged("post_install", "-at_install")
class TestChannelsInChinese(ChannelCase):
    """The channel field and the default channels read in Chinese, although
    Odoo translates the field's former label ("Medium": 中等, 媒體) and keeps
    medium names untranslated (they are the key of UTM links)."""

    LABELS = {"en_US": "Channel", "zh_CN": "订单来源", "zh_TW": "訂單來源"}
    NAMES = {
        "en_US": ["Marketplace", "Store", "Website", "Phone", "Email", "Direct"],
        "zh_CN": ["电商平台", "门店", "网站", "电话", "邮件", "直接"],
        "zh_TW": ["電商平台", "門市", "網站", "電話", "郵件", "直接"],
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channels = cls.marketplace | cls.store
        for xmlid in ("website", "phone", "email", "direct"):
            cls.channels |= cls.env.ref(f"utm.utm_medium_{xmlid}")
        # The languages exist; each test loads their terms its own way.
        for lang in ("zh_CN", "zh_TW"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.readers = {
            lang: new_test_user(
                cls.env,
                login=f"sf_channel_{lang}",
                groups="sales_team.group_sale_salesman_all_leads",
                lang=lang,
            )
            for lang in ("en_US", "zh_CN", "zh_TW")
        }

    def _assert_chinese(self):
        order = self._order(medium_id=self.marketplace.id)
        for lang, user in self.readers.items():
            reader = read_as(user, self.env["sale.order"])
            label = reader.fields_get(["medium_id"])["medium_id"]["string"]
            self.assertEqual(label, self.LABELS[lang])
            names = read_as(user, self.channels).mapped("display_name")
            self.assertEqual(names, self.NAMES[lang])
            # The order form as the client renders it: the field's label
            # comes with the view, the channel's name with the order.
            view = reader.get_views([(False, "form")])
            fields = view["models"]["sale.order"]["fields"]
            self.assertEqual(fields["medium_id"]["string"], self.LABELS[lang])
            self.assertIn('name="medium_id"', view["views"]["form"]["arch"])
            (data,) = read_as(user, order).web_read(
                {"medium_id": {"fields": {"display_name": {}}}}
            )
            self.assertEqual(data["medium_id"]["display_name"], self.NAMES[lang][0])

    def test_installing_chinese_reads_our_label_and_channel_names(self):
        # Odoo's own terms loaded with the addon's, as installing a language
        # does: utm's and sale's label the same field.
        load_chinese(
            self.env,
            langs=("zh_CN", "zh_TW"),
            modules=("utm", "sale", "sale_fulfillment"),
        )
        self._assert_chinese()

    def test_our_label_wins_whatever_order_the_terms_load_in(self):
        load_chinese(self.env, langs=("zh_CN", "zh_TW"))
        # Odoo's sale terms loaded again later, overwriting: an update of sale.
        self.env["ir.module.module"].search(
            [("name", "=", "sale")]
        )._update_translations(["zh_CN", "zh_TW"], overwrite=True)
        self._assert_chinese()

    def test_a_chinese_user_finds_a_channel_by_its_chinese_name(self):
        load_chinese(self.env, langs=("zh_CN",))
        found = read_as(self.readers["zh_CN"], self.env["utm.medium"]).name_search(
            "电商"
        )
        self.assertEqual(
            [medium_id for medium_id, _name in found], self.marketplace.ids
        )
        # The medium name stays the key UTM links match, in any language.
        self.assertEqual(
            read_as(
                self.readers["zh_CN"], self.env["utm.mixin"]
            )._find_or_create_record("utm.medium", "Marketplace"),
            self.marketplace,
        )
