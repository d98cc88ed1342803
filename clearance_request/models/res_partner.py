from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    student_number = fields.Char(
        index=True, copy=False,
        help="The university's student number. A student enrolled by the "
             "registrar's import signs in to the portal with it (the "
             "login is this number); a student given portal access "
             "otherwise signs in with the login given then.")
    student_faculty = fields.Char(string="Faculty / department")
    student_shift = fields.Selection(
        [("day", "Day programme"), ("second", "Second shift (evening)")],
        string="Programme shift")
    student_degree = fields.Selection(
        [("associate", "Associate"), ("bachelor", "Bachelor"),
         ("master", "Master"), ("doctorate", "Doctorate")],
        string="Degree level")
    student_dormitory = fields.Boolean(string="Dormitory resident")
    clearance_request_ids = fields.One2many(
        "clearance.request", "partner_id", string="Clearance requests")

    _sql_constraints = [
        ("student_number_unique", "unique(student_number)",
         "This student number belongs to another student already."),
    ]

    @api.constrains("student_number")
    def _check_student_number(self):
        for partner in self:
            number = partner.student_number
            if number and (not number.isdigit() or not 5 <= len(number) <= 12):
                raise ValidationError(_(
                    "A student number is made of 5 to 12 digits; "
                    "%(number)s is not.") % {"number": number})

    @api.multi
    def _notify_prepare_template_context(self, message):
        """The notification mail of a student's message (a comment, or the
        tracking of their resubmission) is rendered with records read as the
        student, who may not read internal subtypes: Odoo 11 then fails the
        student's action with a raw render error as soon as an employee
        follows the document with the Note subtype. The mail goes to the
        followers, not to the author: read what it shows as the system."""
        # sudo: see above; the recipients are the document's followers.
        return super()._notify_prepare_template_context(message.sudo())
