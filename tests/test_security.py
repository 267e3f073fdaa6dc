from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    def test_reviewer_reads_every_order(self):
        reviewer = new_test_user(
            self.env,
            login="sf_reviewer",
            groups="sale_fulfillment.group_order_reviewer",
        )
        self.assertTrue(reviewer.has_group("sales_team.group_sale_salesman_all_leads"))
        other = new_test_user(
            self.env, login="sf_other", groups="sales_team.group_sale_salesman"
        )
        partner = self.env["res.partner"].create({"name": "Someone"})
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "user_id": other.id}
        )
        visible = (
            self.env["sale.order"].with_user(reviewer).search([("id", "=", order.id)])
        )
        self.assertEqual(visible, order)

    def test_aftersales_manager_implies_aftersales_user(self):
        manager = new_test_user(
            self.env,
            login="sf_as_manager",
            groups="sale_fulfillment.group_aftersales_manager",
        )
        self.assertTrue(manager.has_group("sale_fulfillment.group_aftersales_user"))
        self.assertTrue(manager.has_group("sales_team.group_sale_salesman"))
        user = new_test_user(
            self.env,
            login="sf_as_user",
            groups="sale_fulfillment.group_aftersales_user",
        )
        self.assertFalse(user.has_group("sale_fulfillment.group_aftersales_manager"))
        # Clerks handle requests on every salesperson's orders.
        self.assertTrue(user.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertFalse(user.has_group("sale_fulfillment.group_order_reviewer"))

    def test_sales_administrator_and_admin_get_every_fulfillment_right(self):
        sale_admin = new_test_user(
            self.env, login="sf_sale_admin", groups="sales_team.group_sale_manager"
        )
        admin = self.env.ref("base.user_admin")
        for user in (sale_admin, admin):
            for group in (
                "sale_fulfillment.group_order_reviewer",
                "sale_fulfillment.group_aftersales_manager",
                "sale_fulfillment.group_aftersales_user",
            ):
                self.assertTrue(user.has_group(group), f"{user.login}: {group}")

    def test_groups_belong_to_the_order_fulfillment_category(self):
        category = self.env.ref("sale_fulfillment.module_category_order_fulfillment")
        groups = self.env["res.groups"].search([("category_id", "=", category.id)])
        self.assertEqual(
            set(groups.get_external_id().values()),
            {
                "sale_fulfillment.group_order_reviewer",
                "sale_fulfillment.group_aftersales_user",
                "sale_fulfillment.group_aftersales_manager",
            },
        )

    def test_company_bound_models_have_access_and_company_rules(self):
        """Every model this addon defines or extends that belongs to a company is
        reachable through an access row and bounded by a multi-company rule."""
        model_xmlids = self.env["ir.model.data"].search(
            [("module", "=", "sale_fulfillment"), ("model", "=", "ir.model")]
        )
        models = self.env["ir.model"].browse(model_xmlids.mapped("res_id"))
        self.assertIn("sale.order", models.mapped("model"))
        for model in models:
            records = self.env[model.model]
            if records._transient or records._abstract:
                continue
            self.assertTrue(
                model.access_ids, f"{model.model} has no ir.model.access row"
            )
            company_field = records._fields.get("company_id")
            if not company_field or not company_field.store:
                continue
            rules = model.rule_ids.filtered(
                lambda rule: (
                    rule["global"] and "company_ids" in (rule.domain_force or "")
                )
            )
            self.assertTrue(rules, f"{model.model} has no multi-company rule")
