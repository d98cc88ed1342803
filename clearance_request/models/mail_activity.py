from odoo import _, fields, models
from odoo.exceptions import UserError

from .mail_followers import readable_documents_domain


class MailActivity(models.Model):
    """Odoo 11 hole, closed for this deployment: every employee reads every
    to-do (mail's rule restricts only writes to one's own), and a to-do names
    its request and the office it waits for. Here an employee reads the
    to-dos assigned to them and those of documents they may read, as later
    Odoo versions do (security/mail_security.xml)."""

    _inherit = "mail.activity"

    document_reader_ids = fields.Many2many(
        "res.users", string="Document readers",
        compute="_compute_document_reader_ids",
        search="_search_document_reader_ids",
        help="Users who may read the document of the activity. Computed for "
             "the current user only; the record rules search it for any "
             "user.")

    def _compute_document_reader_ids(self):
        readable = self.sudo().search([
            ("id", "in", self.ids),
            ("document_reader_ids", "in", [self.env.uid])])
        for activity in self:
            activity.document_reader_ids = (
                self.env.user if activity in readable
                else self.env["res.users"])

    def _search_document_reader_ids(self, operator, value):
        if operator != "in" or not isinstance(value, (list, tuple)) \
                or len(value) != 1:
            raise UserError(_("Unsupported search on the document readers."))
        return readable_documents_domain(self.env, value[0], "activity_ids")
