from odoo import fields, models

from .mail_followers import (compute_readers, readable_documents_domain,
                             searched_reader)


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
        compute_readers(self, "document_reader_ids")

    def _search_document_reader_ids(self, operator, value):
        return readable_documents_domain(
            self.env, searched_reader(self, operator, value), "activity_ids")
