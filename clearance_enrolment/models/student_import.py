import base64
import json
import logging
import re
import threading
import time

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from . import sis_file

_logger = logging.getLogger(__name__)

REGISTRAR = "clearance_enrolment.group_clearance_registrar"
PARAM_THRESHOLD = "clearance_enrolment.background_threshold"
PARAM_BATCH = "clearance_enrolment.batch_size"
PARAM_PATTERN = "clearance_enrolment.student_number_pattern"
DEFAULT_PATTERN = r"\d{5,12}"
# Quiet creations: no welcome mail, no chatter, no followers.
QUIET = {"no_reset_password": True, "clearance_enrolment_import": True,
         "tracking_disable": True, "mail_create_nolog": True,
         "mail_create_nosubscribe": True, "mail_notrack": True}


def default_pattern(env):
    return env["ir.config_parameter"].sudo().get_param(
        PARAM_PATTERN, DEFAULT_PATTERN)


class StudentImport(models.Model):
    _name = "clearance.student.import"
    _description = "Student import"
    _order = "id desc"

    name = fields.Char(required=True, default=lambda self: _("Student import"))
    file = fields.Binary(attachment=True)
    filename = fields.Char(string="File name")
    student_number_pattern = fields.Char(
        required=True,
        default=lambda self: default_pattern(self.env),
        help="A regular expression the whole student number must match "
             "(default from the system parameter "
             "clearance_enrolment.student_number_pattern).")
    state = fields.Selection(
        [("draft", "Draft"), ("previewed", "Previewed"),
         ("queued", "Importing in the background"), ("done", "Imported")],
        default="draft", required=True, readonly=True, copy=False)
    line_ids = fields.One2many(
        "clearance.student.import.line", "import_id", string="Rows",
        readonly=True, copy=False)
    problem_line_ids = fields.One2many(
        "clearance.student.import.line", "import_id",
        string="Problems found", readonly=True,
        domain=[("status", "=", "problem")])
    unknown_headers = fields.Char(string="Columns not read", readonly=True,
                                  copy=False)
    total_rows = fields.Integer(string="Rows in the file", readonly=True,
                                copy=False)
    valid_rows = fields.Integer(string="Rows without problems",
                                readonly=True, copy=False)
    problem_rows = fields.Integer(string="Rows with problems",
                                  readonly=True, copy=False)
    processed_rows = fields.Integer(string="Rows imported so far",
                                    readonly=True, copy=False)
    progress = fields.Float(compute="_compute_progress")
    created_count = fields.Integer(string="Created", readonly=True, copy=False)
    updated_count = fields.Integer(string="Updated", readonly=True, copy=False)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True,
                                     copy=False)
    skipped_count = fields.Integer(string="Skipped", readonly=True, copy=False)
    invitation_state = fields.Selection(
        [("none", "Not sent"), ("queued", "Being sent"), ("done", "Sent")],
        string="Invitations",
        default="none", required=True, readonly=True, copy=False)
    invited_count = fields.Integer(string="Invitations sent", readonly=True,
                                   copy=False)

    @api.depends("processed_rows", "valid_rows")
    def _compute_progress(self):
        for record in self:
            record.progress = (100.0 * record.processed_rows
                               / record.valid_rows) if record.valid_rows else 0

    # rights ------------------------------------------------------------
    def _check_registrar(self):
        """The buttons write students and users as the system: only the
        registrar (the clearance manager implies it) may press them."""
        if not self.env.user.has_group(REGISTRAR):
            raise AccessError(_(
                "Only the registrar may import students or send them "
                "invitations."))
        self.check_access_rights("write")
        self.check_access_rule("write")

    @api.multi
    def write(self, vals):
        if "file" in vals or "student_number_pattern" in vals:
            if any(r.state in ("queued", "done") for r in self):
                raise UserError(_(
                    "This import has run; make a new import for another "
                    "file."))
            self.sudo().mapped("line_ids").unlink()  # the rows are read-only
            vals = dict(vals, state="draft", total_rows=0, valid_rows=0,
                        problem_rows=0, unknown_headers=False)
        return super().write(vals)

    # preview -----------------------------------------------------------
    @api.multi
    def action_preview(self):
        self._check_registrar()
        for record in self:
            if record.state in ("queued", "done"):
                raise UserError(_("This import has run already."))
            record._preview()
        return True

    def _read_file(self):
        if not self.file:
            raise UserError(_("Choose the file to import first."))
        data = base64.b64decode(self.file)
        try:
            rows = sis_file.read_rows(data, self.filename)
        except sis_file.SisFileError as exc:
            messages = {
                "empty": _("The file is empty."),
                "encoding": _("The file is not UTF-8 text nor a spreadsheet."),
                "old_excel": _("Save the file as .xlsx (Excel 2007 or "
                               "later) or .csv, then import it."),
            }
            raise UserError(messages.get(exc.kind, _(
                "The file is not a spreadsheet (.xlsx) or a .csv file.")))
        except Exception as exc:  # a damaged workbook
            _logger.info("Unreadable import file: %s", exc)
            raise UserError(_(
                "The file is not a spreadsheet (.xlsx) or a .csv file."))
        rows = [row for row in rows
                if any(sis_file.clean_text(cell) for cell in row)]
        if not rows:
            raise UserError(_("The file is empty."))
        mapping, unknown = sis_file.map_headers(rows[0])
        missing = [c for c in sis_file.REQUIRED if c not in mapping]
        if missing:
            labels = {
                "student_number": _("student number"),
                "first_name": _("first name"),
                "last_name": _("last name"),
            }
            raise UserError(_(
                "The file lacks the required columns: %(columns)s. The first "
                "row must hold the headers (for example شماره دانشجویی، نام، "
                "نام خانوادگی).") % {
                    "columns": ", ".join(labels[c] for c in missing)})
        return mapping, unknown, rows[1:]

    def _check_row(self, cells, mapping, pattern):
        """(values, problems) of a row; values hold only the columns the
        file has, normalised."""
        def cell(key):
            index = mapping.get(key)
            if index is None or index >= len(cells):
                return ""
            return cells[index]

        values, problems = {}, []
        number = sis_file.clean_number(cell("student_number"))
        values["student_number"] = number
        if not number:
            problems.append(_("No student number."))
        elif not re.fullmatch(pattern, number):
            problems.append(_("Student number %s is not of the university's "
                              "form.") % number)
        first = sis_file.clean_text(cell("first_name"))
        last = sis_file.clean_text(cell("last_name"))
        values["name"] = " ".join(p for p in (first, last) if p)
        if not first or not last:
            problems.append(_("First or last name missing."))
        if "national_code" in mapping:
            code = sis_file.clean_number(cell("national_code"))
            if code and len(code) < 10 and code.isdigit():
                code = code.zfill(10)  # leading zeros lost in Excel
            values["national_code"] = code
            if not code:
                problems.append(_("No national code."))
            elif not sis_file.national_code_valid(code):
                problems.append(_("National code %s is not valid (check "
                                  "digit).") % code)
        if "faculty" in mapping or "major" in mapping:
            faculty = " - ".join(p for p in (
                sis_file.clean_text(cell("faculty")),
                sis_file.clean_text(cell("major"))) if p)
            if faculty:
                values["faculty"] = faculty
        for key, parse, message in (
                ("degree", sis_file.parse_degree,
                 _("Unknown degree: %s.")),
                ("shift", sis_file.parse_shift,
                 _("Unknown programme shift: %s.")),
                ("dormitory", sis_file.parse_bool,
                 _("Dormitory resident is neither yes nor no: %s."))):
            text = sis_file.clean_text(cell(key))
            if key not in mapping or not text:
                continue
            value = parse(text)
            if value is None:
                problems.append(message % text)
            else:
                values[key] = value
        mobile_text = sis_file.clean_text(cell("mobile"))
        if mobile_text:
            mobile = sis_file.normalise_mobile(mobile_text)
            if mobile:
                values["mobile"] = mobile
            else:
                problems.append(_("Mobile number %s is not 09xxxxxxxxx.")
                                % mobile_text)
        email = sis_file.clean_text(cell("email")).translate(
            sis_file.DIGITS).lower()
        if email:
            if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                values["email"] = email
            else:
                problems.append(_("E-mail address %s is not valid.") % email)
        return values, problems

    def _preview(self):
        self.ensure_one()
        mapping, unknown, rows = self._read_file()
        try:
            re.compile(self.student_number_pattern)
        except re.error:
            raise UserError(_("The student number pattern is not a valid "
                              "regular expression."))
        checked = []
        seen = {}
        for offset, cells in enumerate(rows):
            row_number = offset + 2  # the header is row 1
            values, problems = self._check_row(
                cells, mapping, self.student_number_pattern)
            number = values["student_number"]
            if number:
                if number in seen:
                    problems.append(_("Student number %(number)s is on row "
                                      "%(row)s already.") % {
                        "number": number, "row": seen[number]})
                else:
                    seen[number] = row_number
            checked.append((row_number, values, problems))
        # A login taken by somebody who is not this student.
        numbers = list(seen)
        owners = {}
        if numbers:
            self.env.cr.execute("""
                SELECT u.login, p.student_number FROM res_users u
                JOIN res_partner p ON p.id = u.partner_id
                WHERE u.login = ANY(%s)""", (numbers,))
            owners = dict(self.env.cr.fetchall())
        for row_number, values, problems in checked:
            number = values["student_number"]
            if number in owners and owners[number] != number:
                problems.append(_("The login %s belongs to another user.")
                                % number)
        self.sudo().line_ids.unlink()
        self._insert_lines(checked)
        valid = sum(1 for c in checked if not c[2])
        self.write({
            "state": "previewed",
            "unknown_headers": ", ".join(unknown) or False,
            "total_rows": len(checked), "valid_rows": valid,
            "problem_rows": len(checked) - valid, "processed_rows": 0,
        })

    def _insert_lines(self, checked):
        """The rows in SQL: tens of thousands of ORM creates would take
        minutes for a table nobody else writes."""
        if not checked:
            return
        from psycopg2.extras import execute_values
        uid = self.env.uid
        execute_values(self.env.cr, """
            INSERT INTO clearance_student_import_line
              (import_id, row_number, student_number, student_name, status,
               problems, data, create_uid, write_uid, create_date, write_date)
            VALUES %s""", [
            (self.id, row, values["student_number"] or None,
             values["name"] or None,
             "problem" if problems else "valid",
             "\n".join(problems) or None, json.dumps(values), uid, uid)
            for row, values, problems in checked],
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                     "(now() at time zone 'UTC'), (now() at time zone 'UTC'))",
            page_size=1000)
        self.invalidate_cache()

    # import ------------------------------------------------------------
    @api.multi
    def action_import(self):
        self._check_registrar()
        params = self.env["ir.config_parameter"].sudo()
        threshold = int(params.get_param(PARAM_THRESHOLD, 500))
        for record in self:
            if record.state in ("queued", "done"):
                raise UserError(_("This import has run already."))
            record._preview()
            if record.valid_rows > threshold:
                record.state = "queued"
                self._trigger_cron()
            else:
                record._import_batch(limit=None)
        return True

    def _batch_size(self):
        return int(self.env["ir.config_parameter"].sudo().get_param(
            PARAM_BATCH, 50))

    def _trigger_cron(self):
        """Run the background batches at the scheduler's next poll (Odoo 11
        has no cron trigger: bring the next call forward). A running cron
        holds its row locked and comes back within its one-minute
        interval anyway: then leave it."""
        cron = self.env.ref("clearance_enrolment.ir_cron_student_import")
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "SELECT id FROM ir_cron WHERE id = %s FOR UPDATE NOWAIT",
                    (cron.id,), log_exceptions=False)
                cron.sudo().write({"nextcall": fields.Datetime.now()})
        except psycopg2.OperationalError:
            _logger.info("The student import's cron is running: it comes "
                         "back within a minute")

    @api.model
    def _cron_process(self, time_budget=None):
        """Batches of the queued imports and invitations, each committed,
        for at most `time_budget` seconds (system parameter
        clearance_enrolment.cron_time_budget, 60 by default); the cron
        comes back at once while work remains. A crash loses the
        uncommitted batch only: its rows are not marked done and are done
        again, matched by student number (never duplicated)."""
        if time_budget is None:
            time_budget = int(self.env["ir.config_parameter"].sudo(
            ).get_param("clearance_enrolment.cron_time_budget", 60))
        batch = self._batch_size()
        deadline = time.time() + time_budget
        while True:
            record = self.search([("state", "=", "queued")], limit=1)
            if record:
                record._import_batch(limit=batch)
            else:
                record = self.search([("invitation_state", "=", "queued")],
                                     limit=1)
                if not record:
                    return False
                record._invite_batch(limit=batch)
            if not getattr(threading.currentThread(), "testing", False):
                # each batch is kept: a crash or a timeout later loses
                # only the batch under way (the docstring)
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time.time() >= deadline:
                return True  # the cron comes back within a minute

    def _import_batch(self, limit):
        self.ensure_one()
        Line = self.env["clearance.student.import.line"].sudo()
        lines = Line.search([("import_id", "=", self.id),
                             ("status", "=", "valid")],
                            order="row_number", limit=limit)
        counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        lang = self._student_lang()
        for line in lines:
            try:
                with self.env.cr.savepoint():
                    result, partner_id = self._import_student(
                        json.loads(line.data), lang)
            except Exception as exc:  # one student's failure skips the row
                _logger.info("Import row %s skipped: %s", line.row_number,
                             exc)
                line.write({"status": "skipped", "problems": _(
                    "Not imported: %s") % (getattr(exc, "name", None)
                                           or str(exc))})
                counts["skipped"] += 1
                continue
            line.write({"status": result, "partner_id": partner_id})
            counts[result] += 1
        done = not Line.search_count([("import_id", "=", self.id),
                                      ("status", "=", "valid")])
        self.write({
            "created_count": self.created_count + counts["created"],
            "updated_count": self.updated_count + counts["updated"],
            "unchanged_count": self.unchanged_count + counts["unchanged"],
            "skipped_count": self.skipped_count + counts["skipped"]
            + (self.problem_rows if done else 0),
            "processed_rows": self.processed_rows + len(lines),
            "state": "done" if done else "queued",
        })

    def _student_lang(self):
        lang = self.env["res.lang"].sudo().search(
            [("code", "=", "fa_IR"), ("active", "=", True)], limit=1)
        return lang.code or self.env.user.company_id.partner_id.lang

    def _import_student(self, values, lang):
        """Create or update the student of `values`: ('created', 'updated'
        or 'unchanged', the partner's id). As the system: the registrar's right was checked by
        the button."""
        env = self.env(user=1, context=dict(self.env.context, **QUIET))
        Partner = env["res.partner"].with_context(active_test=False)
        number = values["student_number"]
        partner_vals = {"name": values["name"], "student_number": number}
        for key, field in (("faculty", "student_faculty"),
                           ("degree", "student_degree"),
                           ("shift", "student_shift"),
                           ("dormitory", "student_dormitory"),
                           ("national_code", "national_code"),
                           ("mobile", "mobile"), ("email", "email")):
            if key in values and values[key] not in ("", None):
                partner_vals[field] = values[key]
        partner = Partner.search([("student_number", "=", number)], limit=1)
        if not partner:
            user = env["res.users"].create(dict(
                partner_vals, login=number, lang=lang,
                groups_id=[(6, 0, [env.ref("base.group_portal").id])]))
            return "created", user.partner_id.id
        changes = {field: value for field, value in partner_vals.items()
                   if partner[field] != value}
        result = "unchanged"
        if changes:
            partner.write(changes)
            result = "updated"
        if not partner.with_context(active_test=False).user_ids:
            env["res.users"].create({
                "partner_id": partner.id, "login": number, "lang": lang,
                "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})
            result = "updated"
        return result, partner.id

    # invitations -------------------------------------------------------
    @api.multi
    def action_send_invitations(self):
        """Queue the set-password mail of this import's students who have
        an e-mail address and have never signed in."""
        self._check_registrar()
        params = self.env["ir.config_parameter"].sudo()
        threshold = int(params.get_param(PARAM_THRESHOLD, 500))
        for record in self:
            if record.state != "done":
                raise UserError(_("Import the students first."))
            record.invitation_state = "queued"
            if len(record._lines_to_invite()) > threshold:
                self._trigger_cron()
            else:
                record._invite_batch(limit=None)
        return True

    def _lines_to_invite(self, limit=None):
        return self.env["clearance.student.import.line"].sudo().search([
            ("import_id", "=", self.id), ("invited", "=", False),
            ("status", "in", ("created", "updated", "unchanged")),
            ("partner_id", "!=", False)], order="row_number", limit=limit)

    def _invite_batch(self, limit):
        self.ensure_one()
        lines = self._lines_to_invite(limit)
        sent = self.env["res.partner"].browse(
            lines.mapped("partner_id").ids)._clearance_invite()
        lines.write({"invited": True})
        self.write({
            "invited_count": self.invited_count + sent,
            "invitation_state": "done" if not self._lines_to_invite(1)
            else "queued"})


class StudentImportLine(models.Model):
    _name = "clearance.student.import.line"
    _description = "Student import row"
    _order = "import_id, row_number"

    import_id = fields.Many2one("clearance.student.import", required=True,
                                ondelete="cascade", index=True)
    row_number = fields.Integer(string="Row")
    student_number = fields.Char()
    student_name = fields.Char(string="Name")
    status = fields.Selection(
        [("valid", "Ready"), ("problem", "Has problems"),
         ("created", "Created"), ("updated", "Updated"),
         ("unchanged", "Unchanged"), ("skipped", "Skipped")],
        required=True, index=True)
    problems = fields.Text()
    data = fields.Text(string="Values read")
    partner_id = fields.Many2one("res.partner", string="Student",
                                 ondelete="set null")
    invited = fields.Boolean()
