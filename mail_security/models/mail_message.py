import threading

from werkzeug.exceptions import TooManyRequests

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError, UserError
from odoo.http import request

#: Who a message reaches, and who it seems to come from.
RECIPIENT_FIELDS = ("partner_ids", "needaction_partner_ids", "channel_ids")
CHECKED_FIELDS = ("author_id", "model", "res_id", "message_type") + \
    RECIPIENT_FIELDS
#: The message types a user writes (the others are the system's records
#: of what happened on a document).
POST_TYPES = ("comment", "email")
RATE_PARAM = "mail_security.posts_per_minute"
DEFAULT_RATE = 10

# Messages whose `_notify` is running in this thread: their recipients are
# being written by the server from the document's followers.
_notifying = threading.local()


def x2many_ids(commands, removable=False):
    """The ids a many2many value links (and, with `removable`, those it
    unlinks), or None when it does anything else: create, change or delete
    the linked records, or clear the link."""
    ids = set()
    kept = (3, 4) if removable else (4,)
    for command in commands or []:
        if isinstance(command, int) and not isinstance(command, bool):
            ids.add(command)
        elif isinstance(command, (list, tuple)) and len(command) >= 2 and \
                command[0] in kept and isinstance(command[1], int):
            ids.add(command[1])
        elif isinstance(command, (list, tuple)) and len(command) == 3 and \
                command[0] == 6 and isinstance(command[2], (list, tuple)) \
                and all(isinstance(i, int) for i in command[2]):
            ids.update(command[2])
        elif isinstance(command, (list, tuple)) and command and \
                command[0] == 3 and not removable:
            continue
        else:
            return None
    return ids


def poster_uid(env):
    """The user behind this call: in a web request handled as the superuser
    (the portal's chatter posts in sudo), the request's user."""
    if env.uid != SUPERUSER_ID:
        return env.uid
    try:
        uid = request.uid if request and request.db == env.cr.dbname \
            else None
    except (AttributeError, RuntimeError):
        uid = None
    return uid or env.uid


class MailMessage(models.Model):
    """Odoo 11 holes closed for every database that installs this addon:

    - a message's author is the user who writes it, and its recipients
      (`partner_ids`, `needaction_partner_ids`, `channel_ids`) are people
      the user may address, checked on the values that will be stored,
      after Odoo applied the context's `default_*` keys;
    - `read_group` obeys the messages' access check (Odoo 11 checks it in
      `_search`/`check_access_rule`, which `read_group` skips);
    - a user outside the employees posts at most
      `mail_security.posts_per_minute` comments or e-mails a minute, through
      every door (message_post, the portal's chatter, create).

    Whom a user outside the employees may address on a document, besides
    themself: the partners its `_share_user_recipients()` returns, if the
    document's model defines it."""

    _inherit = "mail.message"

    # access ----------------------------------------------------------
    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None,
                   orderby=False, lazy=True):
        """Group only the messages `search` gives the user."""
        if self._uid != SUPERUSER_ID:
            domain = [("id", "in", self._search(
                list(domain or []) or [("id", "!=", False)]))]
        return super().read_group(domain, fields, groupby, offset=offset,
                                  limit=limit, orderby=orderby, lazy=lazy)

    # writing ---------------------------------------------------------
    @api.model
    def create(self, values):
        stored = dict(values)
        missing = [name for name in CHECKED_FIELDS if name not in stored]
        if missing:
            stored.update(self.default_get(missing))
        if self._uid != SUPERUSER_ID:
            self._check_author(stored)
            self._check_sender(values)
            self._check_recipients(stored)
        self._check_post_rate(stored)
        return super().create(values)

    @api.multi
    def write(self, vals):
        if self._uid != SUPERUSER_ID and \
                set(self.ids) - getattr(_notifying, "ids", set()):
            if "author_id" in vals:
                self._check_author(vals)
            self._check_sender(vals)
            if "needaction_partner_ids" in vals:
                touched = x2many_ids(vals["needaction_partner_ids"],
                                     removable=True)
                if touched is None or \
                        touched - {self.env.user.partner_id.id}:
                    raise AccessError(_(
                        "You can mark messages as read or unread only for "
                        "yourself."))
            if {"partner_ids", "channel_ids"} & set(vals):
                for message in self:
                    message._check_recipients(dict(
                        vals, model=message.model, res_id=message.res_id,
                        needaction_partner_ids=[]))
        return super().write(vals)

    @api.multi
    def _notify(self, force_send=False, send_after_commit=True,
                user_signature=True):
        """The server writes the recipients it computed from the document's
        followers onto the message: those writes are not the user's."""
        ids = getattr(_notifying, "ids", set())
        _notifying.ids = ids | set(self.ids)
        try:
            return super()._notify(force_send=force_send,
                                   send_after_commit=send_after_commit,
                                   user_signature=user_signature)
        finally:
            _notifying.ids = ids

    # checks ----------------------------------------------------------
    @api.model
    def _check_author(self, values):
        if values.get("author_id") != self.env.user.partner_id.id:
            raise AccessError(_("You can write messages only in your own "
                                "name."))

    @api.model
    def _check_sender(self, values):
        """A user outside the employees writes from their own address, and
        replies come back the usual way."""
        if not self.env.user.share:
            return
        if values.get("email_from") and \
                values["email_from"] != self._get_default_from():
            raise AccessError(_("You can write only from your own address."))
        if values.get("reply_to"):
            raise AccessError(_(
                "You cannot choose where replies to your message go."))

    @api.model
    def _document(self, values):
        model, res_id = values.get("model"), values.get("res_id")
        if model and res_id and model in self.env:
            return self.env[model].browse(res_id)
        return None

    @api.model
    def _addressable_partners(self, values, partner_ids):
        """Of `partner_ids`, those the user may address on the document the
        message belongs to."""
        user = self.env.user
        allowed = user.partner_id
        if user.share:
            document = self._document(values)
            if document is not None and \
                    hasattr(document, "_share_user_recipients"):
                allowed |= document._share_user_recipients()
            return set(partner_ids) & set(allowed.ids)
        # an employee addresses whoever they may read, as in the composer
        return set(self.env["res.partner"].with_context(
            active_test=False).search([("id", "in", list(partner_ids))]).ids)

    @api.model
    def _check_recipients(self, values):
        partners = x2many_ids(values.get("partner_ids"))
        needaction = x2many_ids(values.get("needaction_partner_ids"))
        channels = x2many_ids(values.get("channel_ids"))
        if partners is None or needaction is None or channels is None:
            raise AccessError(_(
                "The recipients of a message are chosen among existing "
                "contacts and channels only."))
        wanted = partners | needaction
        if wanted - self._addressable_partners(values, wanted):
            raise AccessError(_(
                "You cannot address this message to these people."))
        if channels:
            readable = self.env["mail.channel"].search(
                [("id", "in", list(channels))]) if not self.env.user.share \
                else self.env["mail.channel"]
            if channels - set(readable.ids):
                raise AccessError(_(
                    "You cannot post this message to these channels."))

    @api.model
    def _check_post_rate(self, values):
        """A user outside the employees writes at most so many comments or
        e-mails a minute."""
        if values.get("message_type") not in POST_TYPES:
            return
        uid = poster_uid(self.env)
        if uid == SUPERUSER_ID:
            return
        poster = self.env["res.users"].sudo().browse(uid)
        if not poster.share or values.get("author_id") != \
                poster.partner_id.id:
            return
        value = self.env["ir.config_parameter"].sudo().get_param(RATE_PARAM)
        try:
            limit = int(value) if value not in (None, False, "") \
                else DEFAULT_RATE
        except ValueError:
            limit = DEFAULT_RATE
        if limit <= 0:
            return
        self.env.cr.execute(
            "SELECT COUNT(*) FROM mail_message WHERE author_id = %s "
            "AND message_type IN %s AND create_date >= "
            "(now() AT TIME ZONE 'UTC') - INTERVAL '1 minute'",
            [poster.partner_id.id, POST_TYPES])
        if self.env.cr.fetchone()[0] < limit:
            return
        message = _(
            "You are posting too fast: at most %(limit)s messages a "
            "minute. Please wait a minute and try again.") % {
                "limit": limit}
        if request and getattr(request, "_request_type", None) == "http":
            # a form's post (the portal's chatter): an answer, not a crash
            raise TooManyRequests(message)
        raise UserError(message)
