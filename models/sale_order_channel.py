"""Channels (utm.medium) and numbering schemes of orders."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .sale_order import _record_id


class PendingNumber:
    """Name of an order whose number is drawn once its values are complete.

    Odoo's ``create`` numbers an order before its sales team is known, unless
    the order already has a name: this placeholder stands in until
    ``_prepare_create_values`` knows team and channel, and remembers what
    Odoo's own numbering would have used.
    """

    __slots__ = ("company_id", "sequence_date")

    def __init__(self, company_id, sequence_date):
        self.company_id = company_id
        self.sequence_date = sequence_date


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Channels (订单来源) and numbering (订单编号).
    medium_id = fields.Many2one(
        string="Channel",
        help="How the order reached us: web shop, phone, email, marketplace, "
        "store... Left empty, a new order gets the default channel of its sales "
        "team, else of its company.",
    )
    numbering_id = fields.Many2one(
        comodel_name="sale.order.numbering",
        string="Numbering Scheme",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The scheme that gave the order its number; empty when Odoo's own "
        "sequence numbered it.",
    )

    # Channels and numbering

    @api.model
    def _prepare_default_channels(self, vals_list):
        """Give the orders of ``vals_list`` (complete create values) that have
        no channel the default channel of their team, else of their company."""
        todo = [vals for vals in vals_list if not vals.get("medium_id")]
        if not todo:
            return
        teams = (
            self.env["crm.team"]
            .sudo()
            .browse({_record_id(vals.get("team_id")) for vals in todo} - {False, None})
        )
        companies = (
            self.env["res.company"]
            .sudo()
            .browse(
                {_record_id(vals.get("company_id")) for vals in todo} - {False, None}
            )
        )
        team_media = {team.id: team.sale_default_medium_id for team in teams}
        company_media = {
            company.id: company.sale_default_medium_id for company in companies
        }
        no_medium = self.env["utm.medium"]
        for vals in todo:
            medium = self._get_default_medium(
                team_media.get(_record_id(vals.get("team_id"))) or no_medium,
                company_media.get(_record_id(vals.get("company_id"))) or no_medium,
            )
            if medium:
                vals["medium_id"] = medium.id

    @api.model
    def _get_default_medium(self, team_medium, company_medium):
        """Hook: the channel of a new order created without one, from the
        default channel of its sales team and of its company."""
        return team_medium or company_medium

    @api.model
    def _prepare_order_numbers(self, vals_list):
        """Number the orders of ``vals_list`` (complete create values) that
        have no name yet: with the scheme of their company, channel and team,
        else with Odoo's own sequence. One batch of numbers per scheme."""
        pending = [
            vals for vals in vals_list if isinstance(vals.get("name"), PendingNumber)
        ]
        if not pending:
            return
        Company = self.env["res.company"]
        Medium = self.env["utm.medium"]
        Team = self.env["crm.team"]
        keys = [
            (
                Company.browse(
                    _record_id(vals.get("company_id")) or self.env.company.id
                ),
                Medium.browse(_record_id(vals.get("medium_id")) or ()),
                Team.browse(_record_id(vals.get("team_id")) or ()),
            )
            for vals in pending
        ]
        schemes = self.env["sale.order.numbering"].sudo()._get_numberings(set(keys))
        by_scheme = defaultdict(list)
        unnumbered = []
        for vals, key in zip(pending, keys, strict=True):
            scheme = schemes[key]
            if scheme and key[0].sudo().sale_numbering_enabled:
                by_scheme[scheme].append(vals)
            else:
                unnumbered.append((vals, key[0].id))
        self._prepare_odoo_order_names(unnumbered)
        for scheme, scheme_vals_list in by_scheme.items():
            numbers = scheme._next_numbers(
                [self._get_numbering_date(vals) for vals in scheme_vals_list]
            )
            for vals, number in zip(scheme_vals_list, numbers, strict=True):
                vals["name"] = number
                vals["numbering_id"] = scheme.id

    @api.model
    def _prepare_odoo_order_names(self, unnumbered):
        """Name the orders ``unnumbered`` ([(create values, company id)]) with
        Odoo's own sequence. A name a scheme already gave an order of the
        company (a scheme may share Odoo's prefix) is skipped: one query per
        round, and a second round only after such a clash."""
        todo = [(vals, company_id, vals["name"]) for vals, company_id in unnumbered]
        while todo:
            for vals, _company_id, pending in todo:
                vals["name"] = self._get_odoo_order_name(pending)
            self.env.cr.execute(
                SQL(
                    "SELECT company_id, name FROM sale_order "
                    "WHERE numbering_id IS NOT NULL AND company_id = ANY(%s) "
                    "AND name = ANY(%s)",
                    list({company_id for _vals, company_id, _pending in todo}),
                    [vals["name"] for vals, _company_id, _pending in todo],
                )
            )
            taken = set(self.env.cr.fetchall())
            todo = [
                (vals, company_id, pending)
                for vals, company_id, pending in todo
                if (company_id, vals["name"]) in taken
            ]

    @api.model
    def _get_numbering_company_ids(self, vals_list):
        """Ids of the companies of the orders ``vals_list`` creates that
        number their orders with schemes (``sale_numbering_enabled``); the
        orders of the others get Odoo's own number, as without the addon."""
        company_ids = {
            _record_id(vals.get("company_id")) or self.env.company.id
            for vals in vals_list
        }
        return set(
            self.env["res.company"]
            .sudo()
            .browse(company_ids)
            .filtered("sale_numbering_enabled")
            .ids
        )

    @api.model
    def _prepare_pending_number(self, vals):
        """The ``PendingNumber`` of an order created from ``vals`` without a
        name, with the company and date Odoo's own numbering would use."""
        sequence_date = (
            fields.Datetime.context_timestamp(
                self, fields.Datetime.to_datetime(vals["date_order"])
            )
            if vals.get("date_order")
            else None
        )
        return PendingNumber(_record_id(vals.get("company_id")), sequence_date)

    @api.model
    def _get_numbering_date(self, vals):
        """The moment a scheme dates a new order by: its order date in the
        user's timezone, as Odoo dates its own numbers."""
        return fields.Datetime.context_timestamp(
            self,
            fields.Datetime.to_datetime(vals.get("date_order"))
            or fields.Datetime.now(),
        )

    @api.model
    def _get_odoo_order_name(self, pending):
        """The number Odoo's own ``sale.order`` sequence gives an order that no
        scheme numbers (``pending``: its ``PendingNumber``)."""
        return self.env["ir.sequence"].with_company(pending.company_id).next_by_code(
            "sale.order", sequence_date=pending.sequence_date
        ) or self._fields["name"].default(self)
