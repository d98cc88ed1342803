from email.utils import formataddr

from odoo import SUPERUSER_ID, _, api, models, tools
from odoo.exceptions import AccessError

from .clearance_request import chosen_defaults

# What a portal user may not change on a message once it is posted: who it
# seems to come from, where it belongs and who it is addressed to.
FIXED_AFTER_POST = {"author_id", "email_from", "reply_to", "model", "res_id",
                    "partner_ids"}


def command_ids(commands):
    """The ids a many2many value links, or None when it does anything else
    (creates or changes the linked records)."""
    ids = set()
    for command in commands or []:
        if isinstance(command, int) and not isinstance(command, bool):
            ids.add(command)
        elif isinstance(command, (list, tuple)) and command and \
                command[0] == 4 and len(command) >= 2 and \
                isinstance(command[1], int):
            ids.add(command[1])
        elif isinstance(command, (list, tuple)) and len(command) == 3 and \
                command[0] == 6 and isinstance(command[2], (list, tuple)) \
                and all(isinstance(i, int) for i in command[2]):
            ids.update(command[2])
        else:
            return None
    return ids


class MailMessage(models.Model):
    """Odoo 11 hole, closed for this deployment: a portal user creates
    messages (message_post over RPC, the portal chatter's extra form fields,
    or mail.message directly) with any author, any sender address and any
    recipients, and Odoo mails them. Here a portal user writes only as
    themself, to the partners the document allows (see
    `_share_user_recipients`, clearance.request: the officers of the office
    it waits for), on documents they may read."""

    _inherit = "mail.message"

    @api.model
    def create(self, values):
        if self._uid != SUPERUSER_ID:
            # the message that will be stored: also what Odoo adds from the
            # caller's context (default_author_id, default_partner_ids...)
            self._check_post_access(dict(chosen_defaults(self, values),
                                         **values))
        return super().create(values)

    @api.multi
    def write(self, vals):
        if self._uid != SUPERUSER_ID and self.env.user.share and \
                FIXED_AFTER_POST & set(vals):
            raise AccessError(_(
                "You cannot change the author, the sender, the recipients or "
                "the document of a message."))
        return super().write(vals)

    @api.multi
    def _notify(self, force_send=False, send_after_commit=True,
                user_signature=True):
        """A message on a request reaches no one who may no longer read it."""
        if self.model == "clearance.request" and self.res_id:
            self.env["clearance.request"].browse(
                self.res_id)._drop_unreadable_followers()
        return super()._notify(force_send=force_send,
                               send_after_commit=send_after_commit,
                               user_signature=user_signature)

    @api.model
    def _get_default_from(self):
        """Odoo 11 refuses every message of a user without an e-mail address
        ("Unable to send email, please configure the sender's email
        address"): an officer without one could not forward or hold. Their
        messages go from the university's address instead."""
        if self.env.user.email:
            return super()._get_default_from()
        university = self._university_address(self.env.user.company_id)
        if university:
            return formataddr((self.env.user.name, university))
        return super()._get_default_from()

    @api.model
    def _university_address(self, company):
        """The address the university's mails go from when their author has
        none: the company's e-mail, else the catch-all address, else the
        server's email_from; False when none is configured."""
        if company.email:
            return company.email
        # sudo: the catch-all address is configuration, not a secret
        get_param = self.env["ir.config_parameter"].sudo().get_param
        alias = get_param("mail.catchall.alias")
        domain = get_param("mail.catchall.domain")
        if alias and domain:
            return "%s@%s" % (alias, domain)
        return tools.config.get("email_from") or False

    @api.model
    def _check_post_access(self, values):
        model_name, res_id = values.get("model"), values.get("res_id")
        document = None
        if model_name and res_id and model_name in self.env:
            document = self.env[model_name].browse(res_id)
        user = self.env.user
        if document is not None and (
                user.share or getattr(document, "_mail_post_requires_read",
                                      False)):
            try:
                document.check_access_rights("read")
                document.check_access_rule("read")
            except AccessError:
                raise AccessError(_(
                    "You cannot write on a document you may not read."))
        if not user.share:
            return
        own = user.partner_id
        if "author_id" in values and values["author_id"] != own.id:
            raise AccessError(_("You can write only in your own name."))
        if values.get("email_from") and \
                values["email_from"] != self._get_default_from():
            raise AccessError(_(
                "You can write only from your own address."))
        if values.get("reply_to"):
            raise AccessError(_(
                "You cannot choose where replies to your message go."))
        if command_ids(values.get("channel_ids")) != set() or \
                command_ids(values.get("needaction_partner_ids")) != set():
            raise AccessError(_("You cannot address channels or notify "
                                "people directly."))
        allowed = own
        if document is not None and hasattr(document, "_share_user_recipients"):
            allowed |= document._share_user_recipients()
        addressed = command_ids(values.get("partner_ids"))
        if addressed is None or addressed - set(allowed.ids):
            raise AccessError(_(
                "You can address only the office your request waits for."))
