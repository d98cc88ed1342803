from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .clearance_request import chosen_defaults, workflow_action

OFFICE_CATEGORY = "clearance_request.module_category_clearance_offices"
# The university's time zone: a substitution's days are the university's
# days, whoever reads or evaluates them. Never a user's own zone, which they
# edit in their preferences: a substitute would move their range with it.
UNIVERSITY_TZ = "Asia/Tehran"
# The state changes only through action_cancel, which passes this object in
# the context: a client can put strings in a context, never this object.
_CANCEL = object()
CANCEL_KEY = "clearance_substitution_cancel"


def office_groups_sql(env, user_ids, today):
    """The offices user_ids act for on `today`, as a SQL subquery with its
    parameters: their own office groups, and the offices an officer
    delegated to one of them by a substitution whose range contains today.

    Evaluated by the database at each query, so that a substitute's rights
    begin and end with the substitution's dates without anything scheduled."""
    user_ids = tuple(user_ids) or (0,)
    # cached id: env.ref() would check the record exists, one query each
    # time a record rule is applied
    category = env["ir.model.data"].xmlid_to_res_id(
        OFFICE_CATEGORY, raise_if_not_found=True)
    return ("""(
        SELECT own.gid FROM res_groups_users_rel own
        WHERE own.uid IN %s
        UNION
        SELECT og.gid FROM clearance_substitution sub
        JOIN res_users officer ON officer.id = sub.officer_id
            AND officer.active
        JOIN res_groups_users_rel og ON og.uid = sub.officer_id
        JOIN res_groups office ON office.id = og.gid
            AND office.category_id = %s
        WHERE sub.substitute_id IN %s AND sub.state = 'active'
          AND sub.date_from <= %s AND sub.date_to >= %s
          AND (NOT EXISTS (
                SELECT 1 FROM clearance_substitution_group_rel chosen
                WHERE chosen.substitution_id = sub.id)
            OR EXISTS (
                SELECT 1 FROM clearance_substitution_group_rel chosen
                WHERE chosen.substitution_id = sub.id
                  AND chosen.group_id = og.gid)))""",
            [user_ids, category, user_ids, today, today])


class ClearanceSubstitution(models.Model):
    """An officer's substitute for a date range: during it the substitute
    sees and acts on the queue of the officer's offices (all of them, or
    the chosen ones), and every decision is recorded on the officer's
    behalf."""

    _name = "clearance.substitution"
    _description = "Clearance substitute"
    _order = "date_from desc, id desc"

    name = fields.Char(compute="_compute_name")
    officer_id = fields.Many2one(
        "res.users", string="Officer", required=True, index=True,
        ondelete="cascade", default=lambda self: self.env.user,
        help="The officer who is away.")
    substitute_id = fields.Many2one(
        "res.users", string="Substitute", required=True, index=True,
        ondelete="cascade", domain=[("share", "=", False)],
        help="The colleague who acts for the officer during the range: an "
             "active internal user with the clearance officer role.")
    group_ids = fields.Many2many(
        "res.groups", "clearance_substitution_group_rel", "substitution_id",
        "group_id", string="Offices",
        domain=lambda self: [("category_id", "=", self.env.ref(
            OFFICE_CATEGORY).id)],
        help="The officer's offices the substitute acts for; empty: all of "
             "them.")
    date_from = fields.Date(
        string="From", required=True,
        default=lambda self: self._university_today())
    date_to = fields.Date(string="To (inclusive)", required=True)
    state = fields.Selection([
        ("active", "Active"),
        ("cancelled", "Cancelled"),
    ], default="active", required=True, readonly=True, index=True)

    @api.depends("officer_id", "substitute_id")
    def _compute_name(self):
        for sub in self:
            sub.name = _("%(substitute)s for %(officer)s") % {
                "substitute": sub.substitute_id.name or "",
                "officer": sub.officer_id.name or ""}

    @api.constrains("officer_id", "substitute_id", "group_ids", "date_from",
                    "date_to")
    def _check_substitution(self):
        officer_role = self.env.ref("clearance_request.group_clearance_officer")
        for sub in self:
            substitute = sub.substitute_id
            if not substitute.active or substitute.share or not \
                    substitute.has_group("base.group_user"):
                raise ValidationError(_(
                    "%(user)s cannot be a substitute: only an active internal "
                    "user can.") % {"user": substitute.name})
            if officer_role not in substitute.groups_id:
                raise ValidationError(_(
                    "%(user)s cannot be a substitute: they do not have the "
                    "clearance officer role. Ask a clearance manager to give "
                    "it to them.") % {"user": substitute.name})
            if substitute == sub.officer_id:
                raise ValidationError(_(
                    "An officer cannot be their own substitute."))
            if sub.date_to < sub.date_from:
                raise ValidationError(_(
                    "The substitution cannot end (%(end)s) before it starts "
                    "(%(start)s).") % {"end": sub.date_to,
                                       "start": sub.date_from})
            offices = sub._officer_offices()
            if not offices:
                raise ValidationError(_(
                    "%(user)s serves no clearance office: there is nothing "
                    "to hand over.") % {"user": sub.officer_id.name})
            foreign = sub.group_ids - offices
            if foreign:
                raise ValidationError(_(
                    "%(user)s does not serve %(offices)s: a substitute can act "
                    "only for the officer's own offices.") % {
                        "user": sub.officer_id.name,
                        "offices": ", ".join(foreign.mapped("name"))})

    @api.model
    def create(self, vals):
        # the values that will be stored: also those Odoo adds from the
        # caller's context and own defaults
        values = dict(chosen_defaults(self, vals), **vals)
        if not self._is_manager() and values.get(
                "officer_id", self.env.uid) != self.env.uid:
            raise AccessError(_(
                "An officer can name a substitute only for themself."))
        if values.get("state", "active") != "active":
            raise AccessError(_(
                "A substitution ends by its dates or by Cancel, not by "
                "changing its state."))
        return super().create(vals)

    @api.multi
    def write(self, vals):
        if "state" in vals and self.env.context.get(CANCEL_KEY) is not _CANCEL:
            raise AccessError(_(
                "A substitution ends by its dates or by Cancel, not by "
                "changing its state."))
        if not self._is_manager():
            if any(sub.officer_id != self.env.user for sub in self):
                raise AccessError(_(
                    "Only the officer who named the substitute, or a "
                    "clearance manager, can change a substitution."))
            if vals.get("officer_id", self.env.uid) != self.env.uid:
                raise AccessError(_(
                    "An officer can name a substitute only for themself."))
        return super().write(vals)

    @api.multi
    @workflow_action
    def action_cancel(self):
        """The officer (or a manager) ends the substitution now."""
        for sub in self:
            if not self._is_manager() and sub.officer_id != self.env.user:
                raise AccessError(_(
                    "Only the officer who named the substitute, or a "
                    "clearance manager, can cancel a substitution."))
        self.with_context(**{CANCEL_KEY: _CANCEL}).write({"state": "cancelled"})
        return True

    def _is_manager(self):
        return self.env.user.has_group(
            "clearance_request.group_clearance_manager")

    def _officer_offices(self):
        """The office groups of the officer, whom the substitute stands in
        for."""
        self.ensure_one()
        category = self.env.ref(OFFICE_CATEGORY)
        # sudo: an officer may not list the groups of the users they
        # hand over to or stand in for.
        officer = self.sudo().officer_id
        if not officer.active:
            return self.env["res.groups"]
        return officer.groups_id.filtered(
            lambda g: g.category_id == category).sudo(self.env.uid)

    @api.model
    def _university_today(self):
        """Today in the university's time zone."""
        return fields.Date.context_today(self.with_context(tz=UNIVERSITY_TZ))

    @api.model
    def _today(self, user):  # pylint: disable=unused-argument
        """The day a substitution's range of `user` is compared with: the
        university's, for everyone. Not the user's own zone, which they set
        themself (a substitute would move their range by changing it), nor
        that of whoever evaluates it (a record rule is evaluated in sudo
        too, and then Odoo would take the administrator's zone)."""
        return self._university_today()

    @api.model
    def _delegations(self, user=None):
        """{office group: officer} of the offices delegated to `user` (the
        current user by default) today."""
        user = user or self.env.user
        if user.share:
            return {}
        # sudo: the substitutions naming the user, whoever made them. Their
        # range is compared with the user's day only when there are some:
        # most users stand in for nobody, and their time zone is not read.
        subs = self.sudo().search([
            ("substitute_id", "=", user.id), ("state", "=", "active")],
            order="id")
        if subs:
            today = self._today(user)
            subs = subs.filtered(
                lambda sub: sub.date_from <= today <= sub.date_to)
        result = {}
        for sub in subs:
            offices = sub._officer_offices()
            if sub.group_ids:
                offices &= sub.group_ids
            for group in offices:
                result.setdefault(group.id, sub.officer_id.id)
        return result

    @api.model
    def _office_groups_sql(self, user_ids):
        """office_groups_sql for these users, today in the first one's time
        zone."""
        # sudo: the time zone of the user a record rule is evaluated for.
        users = self.env["res.users"].sudo().browse(list(user_ids))
        return office_groups_sql(self.env, users.ids, self._today(users[:1]))
