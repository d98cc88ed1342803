from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from .clearance_request import chosen_defaults


def readable_documents_domain(env, user_id, marker_field, names=None):
    """A domain on (res_model, res_id) that keeps the entries whose document
    the user `user_id` may read, by that user's access rights and record
    rules. The candidate models are `names`, by default those having
    `marker_field` (message_follower_ids for followers, activity_ids for
    to-dos).

    Each model's rules become one sub-select of the query that reads the
    entries, so the answer is that of the moment of the read."""
    user_env = env(user=user_id)
    domains = []
    for name in names or env["mail.followers"]._document_models(marker_field):
        model = user_env[name]
        if not model.check_access_rights("read", raise_exception=False):
            continue
        query = model._where_calc([], active_test=False)
        model._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        if not where_clause:
            domains.append([("res_model", "=", name)])
            continue
        domains.append(["&", ("res_model", "=", name), ("res_id", "inselect", (
            'SELECT "%s".id FROM %s WHERE %s' % (
                model._table, from_clause, where_clause), params))])
    return expression.OR(domains) if domains else [expression.FALSE_LEAF]


def compute_readers(records, field_name):
    """Compute `field_name`, a field of readers searched by the record
    rules, for the current user only: the user, on the records they may
    read, else no one."""
    readable = records.sudo().search([
        ("id", "in", records.ids), (field_name, "in", [records.env.uid])])
    for record in records:
        record[field_name] = (records.env.user if record in readable
                              else records.env["res.users"])


def searched_reader(self, operator, value):
    """The one user a search on a field of readers of the records `self`
    asks about (named self: Odoo's _() takes its language from it)."""
    if operator != "in" or not isinstance(value, (list, tuple)) \
            or len(value) != 1:
        raise UserError(_("Unsupported search on the document readers."))
    return value[0]


class MailFollowers(models.Model):
    """Odoo 11 hole, closed for this deployment: any user may create a
    follower entry on any document (mail's own rule restricts only writes
    of one's own entries), then receives the document's messages and may
    post on it as a follower. Here, following needs the right to read the
    document; making someone else (or a channel) follow needs the right to
    change it, as message_subscribe asks; portal users follow only as
    themselves. Portal users read only their own entries and those of
    documents they may read (security/mail_security.xml)."""

    _inherit = "mail.followers"

    document_reader_ids = fields.Many2many(
        "res.users", string="Document readers",
        compute="_compute_document_reader_ids",
        search="_search_document_reader_ids",
        help="Users who may read the followed document. Computed for the "
             "current user only; the record rules search it for any user.")

    request_reader_ids = fields.Many2many(
        "res.users", string="Request readers",
        compute="_compute_request_reader_ids",
        search="_search_request_reader_ids",
        help="Users who may read the followed clearance request (every "
             "user, for the followers of other documents). Computed for the "
             "current user only; the record rules search it for any user.")

    @api.model
    @tools.ormcache("marker_field")
    def _document_models(self, marker_field):
        """The models (with a table) whose records have the field
        `marker_field` of their own, as mail.thread gives them
        message_follower_ids and mail.activity.mixin activity_ids."""
        names = []
        for name in sorted(self.env.registry):
            model = self.env[name]
            if not (model._abstract or model._transient or not model._auto
                    or marker_field not in model._fields
                    or model._fields[marker_field].inherited):
                names.append(name)
        return tuple(names)

    def _compute_document_reader_ids(self):
        compute_readers(self, "document_reader_ids")

    def _search_document_reader_ids(self, operator, value):
        return readable_documents_domain(
            self.env, searched_reader(self, operator, value), "message_follower_ids")

    def _compute_request_reader_ids(self):
        compute_readers(self, "request_reader_ids")

    def _search_request_reader_ids(self, operator, value):
        return expression.OR([
            [("res_model", "!=", "clearance.request")],
            readable_documents_domain(
                self.env, searched_reader(self, operator, value),
                "message_follower_ids", names=("clearance.request",))])

    @api.model
    def create(self, vals):
        if self._uid != SUPERUSER_ID:
            # the entry that will be stored: also what Odoo adds from the
            # caller's context
            self._check_may_follow(dict(chosen_defaults(self, vals), **vals))
        return super().create(vals)

    @api.multi
    def write(self, vals):
        keys = {"res_model", "res_id", "partner_id", "channel_id"}
        if self._uid != SUPERUSER_ID and keys & set(vals):
            for follower in self:
                self._check_may_follow(dict({
                    "res_model": follower.res_model,
                    "res_id": follower.res_id,
                    "partner_id": follower.partner_id.id,
                    "channel_id": follower.channel_id.id,
                }, **{key: vals[key] for key in keys if key in vals}))
        return super().write(vals)

    @api.model
    def _check_may_follow(self, vals):
        """The current user may make vals' partner or channel follow vals'
        document."""
        model_name, res_id = vals.get("res_model"), vals.get("res_id")
        if model_name not in self.env or not isinstance(res_id, int) \
                or not res_id:
            raise AccessError(_("A follower needs the document it follows."))
        document = self.env[model_name].browse(res_id)
        user = self.env.user
        themself = (vals.get("partner_id") == user.partner_id.id
                    and not vals.get("channel_id"))
        if user.share and not themself:
            raise AccessError(_(
                "You can make only yourself follow a document."))
        operation = "read" if themself else "write"
        try:
            document.check_access_rights(operation)
            document.check_access_rule(operation)
        except AccessError:
            if themself:
                raise AccessError(_(
                    "You cannot follow a document you may not read."))
            raise AccessError(_(
                "You cannot add followers to a document you may not "
                "change."))
