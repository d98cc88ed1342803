import logging

import decorator
import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

from ..tools import jalali

_logger = logging.getLogger(__name__)

# The one way past the workflow guard (_check_workflow_fields): the actions
# below pass this object in the context (`transition`). A client (RPC, form)
# can put strings in a context but never this very object, so a direct write
# of stage, state or route is refused, whoever writes it.
_TRANSITION = object()
TRANSITION_KEY = "clearance_transition"
# The step a transition's write records (see the field workflow_step), beside
# the token: only a transition can claim to be a step.
STEP_KEY = "clearance_step"
# What an office tells the student on a visit or a return: the body of the
# step's chatter line, beside the tracked changes.
WORDS_KEY = "clearance_words"
STEPS = [
    ("submitted", "Submitted by the student"),
    ("forwarded", "Forwarded by an office"),
    ("hold", "In-person visit required"),
    ("returned", "Returned to the student"),
    ("resubmitted", "Sent again by the student"),
    ("cleared", "Cleared by the last office"),
    ("cancelled", "Cancelled"),
    ("reopened", "Reopened"),
]
# The chatter's subtype of a step, by the status it leads to (_track_subtype).
STATE_SUBTYPES = {
    "hold": "clearance_request.mt_request_hold",
    "returned": "clearance_request.mt_request_returned",
    "cleared": "clearance_request.mt_request_cleared",
    "cancelled": "clearance_request.mt_request_cancelled",
}

REASONS = [
    ("expulsion", "Expulsion"),
    ("withdrawal", "Withdrawal"),
    ("non_registration", "Non-registration"),
]
STATES = [
    ("draft", "Draft"),
    ("progress", "In progress"),
    ("hold", "In-person visit required"),
    ("returned", "Returned to student"),
    ("cleared", "Cleared"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("draft", "progress", "hold", "returned")
# The longest text a student or an office may write in one field: a page of
# the registrar's paper forms.
TEXT_LIMIT = 2000


def check_text(env, value, field=None):
    """A text a user wrote: refused with a clear message unless it is text
    of at most TEXT_LIMIT characters without NUL characters (which the
    database refuses with an error nobody can read)."""
    if value is None or value is False:
        return value
    if not isinstance(value, str):
        raise UserError(_("Expected a text, got %(type)s.") % {
            "type": type(value).__name__})
    label = field.get_description(env)["string"] if field else _("The text")
    if "\x00" in value:
        raise UserError(_(
            "%(field)s contains a character that is not allowed (NUL).")
            % {"field": label})
    if len(value) > TEXT_LIMIT:
        raise UserError(_(
            "%(field)s is too long: %(length)s characters, at most %(limit)s.")
            % {"field": label, "length": len(value), "limit": TEXT_LIMIT})
    return value


# The context keys through which a caller sets the values create() gives to
# the fields it was not passed (BaseModel.default_get).
DEFAULT_PREFIX = "default_"


def _is_default_key(key):
    return isinstance(key, str) and key.startswith(DEFAULT_PREFIX)


def without_defaults(records):
    """The records in their context without the caller's default_* keys:
    what the workflow creates or writes takes its values from the code, not
    from a context a client sent (a default_state of the caller would be
    the state of every step, to-do and mail the action creates)."""
    context = records.env.context
    if not any(_is_default_key(key) for key in context):
        return records
    return records.with_context({
        key: value for key, value in context.items()
        if not _is_default_key(key)})


@decorator.decorator
def workflow_action(method, self, *args, **kwargs):
    """An action of the workflow (a button, an RPC method): it runs in the
    caller's context without its default_* keys (without_defaults). The
    decorated method keeps its signature, which Odoo reads to tell an RPC
    call's positional context from the method's own arguments (a wrapper
    taking *args made XML-RPC take hold_for_visit's instructions for a
    context)."""
    return method(without_defaults(self), *args, **kwargs)


def chosen_defaults(records, values):
    """The values create() would add to `values` that the caller chose
    rather than the code: the context's default_* keys and the users' own
    defaults (ir.default), as default_get gives them. The guards check them
    as if they had been passed."""
    names = {key[len(DEFAULT_PREFIX):] for key in records.env.context
             if _is_default_key(key)}
    # cached by Odoo (ormcache): no query on most creates
    names.update(records.env["ir.default"].get_model_defaults(records._name))
    names = [name for name in names
             if name in records._fields and name not in values]
    return records.default_get(names) if names else {}


def transition(records, step=None):
    """The records in an environment allowed to change workflow fields,
    recording `step` (one of STEPS) when given. The caller's default_* keys
    are left out: a transition's creates and writes take no value from them."""
    return without_defaults(records).with_context(
        **{TRANSITION_KEY: _TRANSITION, STEP_KEY: step})


def in_transition(records):
    return records.env.context.get(TRANSITION_KEY) is _TRANSITION


def with_words(records, words):
    """The records whose step's chatter line will carry `words` (what the
    office tells the student). Like the transition, only server code can
    set them: a context sent over RPC holds no such token."""
    return records.with_context(**{WORDS_KEY: (_TRANSITION, words)})


def words_of(records):
    """The words with_words() gave, if any."""
    value = records.env.context.get(WORDS_KEY)
    if isinstance(value, tuple) and len(value) == 2 and value[0] is _TRANSITION:
        return value[1]
    return None


class ClearanceRequest(models.Model):
    _name = "clearance.request"
    _inherit = ["clearance.input.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Clearance request"
    _order = "stage_date, id"
    # Whoever may read a request may write in its thread: an office that
    # sent it on may still add a note, without following the request.
    _mail_post_access = "read"
    # The methods the workflow's mail templates call (mail_template_security
    # lets a template call only the methods its model lists).
    _mail_template_methods = ("format_date",)
    # The fields only the workflow's actions write; anyone else's create or
    # write of them is refused (_check_workflow_fields). A user writes the
    # student, the reason and the student's note, and the current stage's
    # form (cur_*, its step's fields: the step guards them).
    _workflow_fields = frozenset([
        "name", "state", "stage_id", "line_ids", "current_line_id",
        "handled_group_ids", "submit_date", "stage_date", "clear_date",
        "cancel_date",
        # computed from the student, or related to the stage and the step
        # (a write would reach the stage's settings)
        "user_id", "student_number", "student_faculty", "student_shift",
        "student_degree", "student_dormitory", "office_id", "current_kind",
        "current_allow_hold",
        # the certificate (clearance_certificate.py)
        "certificate_code", "certificate_date", "certificate_revoked",
        "certificate_revoked_date", "certificate_revoked_reason",
        "certified_name", "certified_student_number", "certified_faculty",
        "certified_degree",
    ])

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/",
        index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Student", required=True, index=True,
        ondelete="restrict", track_visibility="onchange",
        domain=[("student_number", "!=", False)])
    user_id = fields.Many2one(
        "res.users", string="Student login", compute="_compute_user_id",
        store=True, index=True)
    reason = fields.Selection(
        REASONS, required=True, track_visibility="onchange",
        help="Why the student asks for clearance.")
    student_number = fields.Char(
        related="partner_id.student_number", store=True, readonly=True)
    student_faculty = fields.Char(
        related="partner_id.student_faculty", store=True, readonly=True)
    student_shift = fields.Selection(
        related="partner_id.student_shift", store=True, readonly=True)
    student_degree = fields.Selection(
        related="partner_id.student_degree", store=True, readonly=True)
    student_dormitory = fields.Boolean(
        related="partner_id.student_dormitory", store=True, readonly=True)
    student_note = fields.Text(
        help="The student's words to the offices, e.g. a correction after "
             "the request was returned.")

    state = fields.Selection(
        STATES, default="draft", required=True, index=True, copy=False,
        readonly=True, track_visibility="onchange")
    # auto_join: the offices' record rules and My queue search the stage's
    # office; joined, instead of one query for the stages before each
    # search or read of an officer. Everyone may read every stage.
    stage_id = fields.Many2one(
        "clearance.stage", string="Stage", index=True, copy=False,
        readonly=True, ondelete="restrict", track_visibility="onchange",
        group_expand="_read_group_stage_ids", auto_join=True)
    office_id = fields.Many2one(
        related="stage_id.group_id", string="Office", readonly=True)
    line_ids = fields.One2many(
        "clearance.request.line", "request_id", string="Route", copy=False)
    # auto_join: domains on the current step (the automated actions') join
    # the one step instead of listing every step in that state; the step of a
    # request one may read is readable too.
    current_line_id = fields.Many2one(
        "clearance.request.line", string="Current step", readonly=True,
        copy=False, index=True, auto_join=True)
    route_stage_ids = fields.Many2many(
        "clearance.stage", string="Route stages",
        compute="_compute_route_stage_ids")
    last_done_line_id = fields.Many2one(
        "clearance.request.line", string="Last office's step",
        compute="_compute_last_done_line_id",
        help="The step of the office that cleared the student last.")
    workflow_step = fields.Selection(
        STEPS, string="Step being recorded", compute="_compute_workflow_step",
        search="_search_workflow_step",
        help="The step of the workflow that the current update records, for "
             "the automated actions' conditions: e.g. 'Step being recorded = "
             "Forwarded by an office'. Only the workflow's own actions record "
             "a step; any other update records none.")
    handled_group_ids = fields.Many2many(
        "res.groups", "clearance_request_handled_group_rel", "request_id",
        "group_id", string="Offices that acted", readonly=True, copy=False)

    handled_by_group_ids = fields.Many2many(
        "res.groups", string="Handled by", compute="_compute_handled_by",
        search="_search_handled_by",
        help="The offices that acted, searched one request at a time: the "
             "record rules use it on every read of an officer.")
    submit_date = fields.Datetime(
        string="Submitted on", readonly=True, copy=False)
    stage_date = fields.Datetime(
        string="At this stage since", readonly=True, copy=False, index=True,
        default=fields.Datetime.now)
    clear_date = fields.Datetime(
        string="Clearance date", readonly=True, copy=False)
    cancel_date = fields.Datetime(readonly=True, copy=False)

    can_act = fields.Boolean(
        compute="_compute_is_my_turn",
        help="You may act on the request now: it waits for one of your "
             "offices, or you are a clearance manager.")
    search_text = fields.Char(
        string="Student number, name or reference",
        compute="_compute_search_text", search="_search_search_text",
        help="Finds a request by its reference, the student's number or "
             "name.")
    is_my_turn = fields.Boolean(
        compute="_compute_is_my_turn", search="_search_is_my_turn",
        help="The request waits for one of your offices.")

    # The activity mixin stores this deadline: every to-do given or closed
    # would rewrite the request (and run its automated actions' checks), and
    # students' actions would need to write it. Computed when read instead.
    activity_date_deadline = fields.Date(store=False)

    # The stage form's fields (current_kind, cur_*) are those of the step
    # the user acts on: see acting_line_id in clearance_request_office.py.

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    @api.depends("partner_id.user_ids")
    def _compute_user_id(self):
        for request in self:
            request.user_id = request.partner_id.user_ids[:1]

    @api.depends("line_ids.stage_id")
    def _compute_route_stage_ids(self):
        for request in self:
            request.route_stage_ids = (
                request.line_ids.mapped("stage_id")
                or request._applicable_stages())

    @api.depends("line_ids.state", "line_ids.date_done")
    def _compute_last_done_line_id(self):
        # one indexed search, not every step of the route read (the mails
        # of every forward show it)
        Line = self.env["clearance.request.line"]
        for request in self:
            request.last_done_line_id = Line.search([
                ("request_id", "=", request.id), ("state", "=", "done"),
                ("kind", "!=", "create"), ("date_done", "!=", False)],
                order="date_done desc, sequence desc, id desc",
                limit=1) if request.id else Line

    def _compute_workflow_step(self):
        step = self.env.context.get(STEP_KEY) if in_transition(self) else False
        for request in self:
            request.workflow_step = step

    def _search_workflow_step(self, operator, value):
        """True for every request written by the transition being recorded
        when it records `value`; false for any other update."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the step being recorded."))
        step = self.env.context.get(STEP_KEY) if in_transition(self) else False
        values = value if isinstance(value, (list, tuple)) else [value]
        matches = (step in values) == (operator in ("=", "in"))
        return [expression.TRUE_LEAF] if matches else [expression.FALSE_LEAF]

    @api.depends("handled_group_ids")
    def _compute_handled_by(self):
        for request in self:
            request.handled_by_group_ids = request.handled_group_ids

    def _search_handled_by(self, operator, value):
        """Requests handled by one of the groups `value`, as a subquery
        correlated with the request being read.

        The plain many2many search compares every request with all the
        requests an office ever handled (100,000s of rows) on each read; tied
        to the outer row, the index answers each request at once."""
        if operator != "in":
            raise UserError(_("Unsupported search on the offices that acted."))
        group_ids = tuple(value) or (0,)
        return [("id", "inselect", (
            'SELECT rel.request_id FROM clearance_request_handled_group_rel rel '
            'WHERE rel.request_id = "clearance_request".id '
            'AND rel.group_id IN %s', (group_ids,)))]

    def _compute_search_text(self):
        for request in self:
            request.search_text = False

    def _search_search_text(self, operator, value):
        """A reference, a student number or a name, typed with Persian or
        Latin digits, Persian or Arabic letters."""
        if operator not in ("ilike", "not ilike", "=", "!=") or \
                not isinstance(value, str):
            raise UserError(_("Search requests by a reference, a student "
                              "number or a name."))
        text = jalali.normalize_typed(value)
        like = "=" if operator in ("=", "!=") else "ilike"
        domain = ["|", "|", ("name", like, text), ("student_number", like, text),
                  ("partner_id.name", like, text)]
        return domain if operator in ("ilike", "=") else ["!"] + domain

    def _compute_is_my_turn(self):
        is_manager = self._is_manager()
        delegations = self.env["clearance.substitution"]._delegations()
        for request in self:
            waiting = request.state in ("progress", "hold")
            request.is_my_turn = waiting and bool(
                request._my_line(delegations))
            request.can_act = waiting and (request.is_my_turn or is_manager)

    def _search_is_my_turn(self, operator, value):
        positive = (operator == "=") == bool(value)
        domain = [("acting_user_ids", "in", [self.env.uid])]
        return domain if positive else ["!"] + domain

    @api.model
    def _read_group_stage_ids(self, stages, domain, order):
        return stages.search([], order=order)

    # ------------------------------------------------------------------
    # constraints
    # ------------------------------------------------------------------
    @api.model_cr
    def init(self):
        # One open request per student, also under concurrent submissions.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS clearance_request_one_open_idx
            ON clearance_request (partner_id)
            WHERE state IN ('draft', 'progress', 'hold', 'returned')
        """)
        # My queue: open requests of a stage, oldest first.
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS clearance_request_queue_idx
            ON clearance_request (stage_id, stage_date, id)
            WHERE state IN ('progress', 'hold')
        """)

    def _ensure_no_open_request(self, partner_ids):
        """Refuse a second open request for a student, before the database's
        unique index does it with a less helpful message."""
        # sudo: the other request may be invisible to the user asking.
        others = self.sudo().search([
            ("partner_id", "in", list(partner_ids)),
            ("state", "in", OPEN_STATES),
            ("id", "not in", self.ids)], limit=1)
        if others:
            raise ValidationError(_(
                "%(student)s already has an open clearance request "
                "(%(request)s); finish or cancel it first.") % {
                    "student": others.partner_id.name,
                    "request": others.name})

    @api.constrains("partner_id")
    def _check_student(self):
        for request in self:
            if not request.partner_id.student_number:
                raise ValidationError(_(
                    "%(partner)s has no student number: only students can "
                    "ask for clearance.") % {"partner": request.partner_id.name})

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_workflow_fields(self, vals):
        """The workflow guard (as hr_holidays' _check_state_access_right):
        workflow fields are written only in a transition, by nobody else,
        the superuser included. Editing existing steps through the route
        (commands 1 and 4) is left to the step's own guard."""
        if in_transition(self):
            return
        owned = sorted(name for name in vals if name in self._workflow_fields
                       and not (name == "line_ids" and all(
                           command[0] in (1, 4) for command in vals[name])))
        if owned:
            raise AccessError(_(
                "These fields change only through the clearance actions: "
                "%(fields)s") % {"fields": ", ".join(owned)})

    @api.model
    def create(self, vals):
        # The guards check the values that will be stored: those passed and
        # those Odoo would add from the caller's context or own defaults.
        chosen = {} if in_transition(self) else chosen_defaults(self, vals)
        self._check_workflow_fields(dict(chosen, **vals))
        self._check_student_partner(vals, creating=True)
        self._check_values(dict(chosen, **vals))
        partner_id = vals.get("partner_id") or chosen.get("partner_id")
        if partner_id:
            self._ensure_no_open_request([partner_id])
        if vals.get("name", "/") == "/":
            # sudo: students create requests but may not read sequences.
            vals["name"] = self.env["ir.sequence"].sudo().next_by_code(
                "clearance.request") or "/"
        request = super(ClearanceRequest, self.with_context(
            mail_create_nolog=True)).create(vals)
        request._subscribe_student()
        return request.with_env(self.env)

    @api.multi
    def write(self, vals):
        self._check_ids()
        self._check_workflow_fields(vals)
        if not in_transition(self) and {"partner_id", "reason"} & set(vals) \
                and any(r.state not in ("draft", "returned") for r in self):
            raise UserError(_(
                "The student and the reason can be changed only before "
                "submission or while the request is returned."))
        self._check_student_partner(vals)
        self._check_values(vals)
        if vals.get("partner_id"):
            self._ensure_no_open_request([vals["partner_id"]])
        result = super().write(vals)
        if "partner_id" in vals:
            self._subscribe_student()
        return result

    def _add_missing_default_values(self, values):
        """Where Odoo adds the defaults to a create's values, in whatever
        context an override passed on: the workflow guard sees them there
        too (create() checked the same in its caller's context)."""
        if not in_transition(self):
            self._check_workflow_fields(chosen_defaults(self, values))
        return super()._add_missing_default_values(values)

    @api.multi
    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_(
            "Clearance requests are never deleted: cancel the request instead."))

    @api.multi
    def message_subscribe(self, partner_ids=None, channel_ids=None,
                          subtype_ids=None, force=True):
        if self.env.context.get("clearance_no_follow"):
            return True
        return super().message_subscribe(
            partner_ids=partner_ids, channel_ids=channel_ids,
            subtype_ids=subtype_ids, force=force)

    @api.multi
    @api.returns("self", lambda value: value.id)
    def message_post(self, body="", subject=None, message_type="notification",
                     subtype=None, parent_id=False, attachments=None,
                     content_subtype="html", **kwargs):
        """The student's comments reach the office the request waits for
        (its officers do not follow the request). A step's tracked chatter
        line carries what the office told the student, if anything: one
        comment the student reads on the portal, with the tracked changes."""
        words = words_of(self)
        step_line = kwargs.get("tracking_value_ids") and in_transition(self)
        poster = self
        if step_line:
            if words:
                body, message_type, content_subtype = \
                    words, "comment", "plaintext"
            # sudo: the step's chatter line is the workflow's record of a step
            # whose right the action checked before writing it; it needs no
            # access check of its own (about ten queries of record rules).
            # It stays the acting user's line: their author and address.
            Message = self.env["mail.message"]
            kwargs.setdefault("author_id", Message._get_default_author().id)
            kwargs.setdefault("email_from", Message._get_default_from())
            poster = self.sudo()
        elif len(self) == 1 and message_type == "comment":
            request = self.sudo()
            author = kwargs.get("author_id") or self.env.user.partner_id.id
            if author == request.partner_id.id and request.state in (
                    "progress", "hold"):
                kwargs["partner_ids"] = list(kwargs.get("partner_ids") or []) + \
                    request._office_users().mapped("partner_id").ids
        return super(ClearanceRequest, poster).message_post(
            body=body, subject=subject, message_type=message_type,
            subtype=subtype, parent_id=parent_id, attachments=attachments,
            content_subtype=content_subtype, **kwargs)

    @api.multi
    def _track_subtype(self, init_values):
        """The chatter line of a step: its subtype tells what kind of step it
        was, so that a manager may follow only the holds, or the clearances."""
        self.ensure_one()
        if "state" in init_values and self.state in STATE_SUBTYPES:
            return STATE_SUBTYPES[self.state]
        if {"state", "stage_id"} & set(init_values):
            return "clearance_request.mt_request_stage"
        return super()._track_subtype(init_values)

    def _subscribe_student(self):
        for request in self:
            # sudo: a student subscribes themself to their own request.
            request.sudo().message_subscribe(
                partner_ids=request.partner_id.ids,
                subtype_ids=self.env.ref("mail.mt_comment").ids)

    # ------------------------------------------------------------------
    # checks
    # ------------------------------------------------------------------
    def _is_manager(self):
        return self.env.user.has_group(
            "clearance_request.group_clearance_manager")

    def _check_student_partner(self, vals, creating=False):
        """A student asks for clearance for themself, and never hands a
        request over to somebody else."""
        if not (creating or "partner_id" in vals) or not self.env.user.share:
            return
        if creating and vals.get("partner_id") != self.env.user.partner_id.id:
            raise AccessError(_(
                "A student can ask for clearance only for themself."))
        if not creating and "partner_id" in vals:
            raise AccessError(_(
                "A student cannot change whose clearance request this is."))

    def _check_values(self, vals):
        """Refuse values a form would never send: a reason that is not one
        of the listed ones, texts that are not text or are too long."""
        if "reason" in vals and vals["reason"] not in dict(REASONS):
            raise UserError(_("Choose one of the listed reasons."))
        for name in ("student_note", "cur_visit_instructions",
                     "cur_return_reason", "cur_note"):
            if name in vals:
                check_text(self.env, vals[name], self._fields[name])

    def _check_open(self):
        for request in self:
            if request.state in ("cleared", "cancelled"):
                raise UserError(_(
                    "%(request)s is %(state)s: nothing more can be done on it.")
                    % {"request": request.name,
                       "state": dict(self._fields["state"]._description_selection(
                           self.env))[request.state]})

    def _check_office_turn(self):
        """The current user acts for the office whose turn it is. Returns
        the step each request's action decides, by request id: the user's
        office's, or for a clearance manager the current one."""
        is_manager = self._is_manager()
        acting = {}
        for request in self:
            request._check_open()
            if request.state not in ("progress", "hold"):
                raise UserError(_(
                    "%(request)s is not waiting for an office.")
                    % {"request": request.name})
            line = request._my_line()
            if not is_manager and not line:
                raise AccessError(_(
                    "%(request)s is at the stage %(stage)s: only the office "
                    "%(office)s can act on it now.") % {
                        "request": request.name,
                        "stage": request.stage_id.name,
                        "office": request.stage_id.group_id.name})
            acting[request.id] = line or request.current_line_id
        return acting

    def _check_student_owner(self):
        is_manager = self._is_manager()
        partner = self.env.user.partner_id
        for request in self:
            if not is_manager and request.partner_id != partner:
                raise AccessError(_(
                    "Only the student of %(request)s can do this.")
                    % {"request": request.name})

    def _lock(self):
        """Take the request rows for this transaction, or fail at once.

        Two officers pressing a button on the same request at the same moment:
        the second one gets a clear message instead of a second transition."""
        if not self:
            return
        expected = self.env.context.get("clearance_expected_line_id")
        try:
            with self.env.cr.savepoint():
                # A clash is the workflow's ordinary answer, not a database
                # error: it is logged as information below, not as Odoo's
                # "bad query" at ERROR level that trips log alerts.
                self.env.cr.execute(
                    "SELECT id FROM clearance_request WHERE id IN %s "
                    "FOR UPDATE NOWAIT", [tuple(self.ids)],
                    log_exceptions=False)
        except psycopg2.OperationalError as err:
            if err.pgcode not in ("55P03", "40001"):
                raise
            _logger.info("%s: locked by another transaction (%s), refused "
                         "to user %s", ", ".join(self.mapped("name")),
                         err.pgcode, self.env.uid)
            raise UserError(_(
                "Someone else is acting on this request right now. Reload it "
                "and try again."))
        # what another transaction may have changed before the lock: the
        # requests and their steps (not the user, the stages, ...)
        self.invalidate_cache(ids=self.ids)
        Line = self.env["clearance.request.line"]
        Line.invalidate_cache(fnames=list(Line._fields))
        if expected and any(r.current_line_id.id != expected for r in self):
            raise UserError(_(
                "This request has moved on since you opened it. Reload it to "
                "see where it is now."))

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    @api.multi
    @workflow_action
    def action_submit(self):
        """Stage 1: the student sends the request to the first office."""
        self._check_student_owner()
        self._lock()
        now = fields.Datetime.now()
        for request in self:
            if request.state != "draft":
                raise UserError(_("%(request)s has been submitted already.")
                                % {"request": request.name})
            lines = request._build_route()
            first = lines.filtered(lambda l: l.kind == "create")[:1]
            if first:
                transition(first).sudo().write({
                    "state": "done", "decision": "forwarded",
                    "officer_id": self.env.uid, "date_done": now})
            request._move_to(lines.filtered(lambda l: l.kind != "create")[:1],
                             "submitted", {"submit_date": now})
        return True

    @api.multi
    @workflow_action
    def action_forward(self):
        """Send the request on: the current office has cleared the student."""
        acting = self._start_office_action()
        now = fields.Datetime.now()
        for request in self:
            line = acting[request.id]
            line._check_complete()
            vals = request._record_decision(line, {
                "state": "done", "decision": "forwarded", "date_done": now})
            following = request._next_line(line)
            request._move_to(
                following, "forwarded" if following else "cleared", vals)
        return True

    @api.multi
    @workflow_action
    def hold_for_visit(self, instructions=None):
        """Initial approval of the form: the student must come in person,
        told `instructions` (by default the stage form's)."""
        acting = self._start_office_action()
        for request in self:
            line = acting[request.id]
            if not line.stage_id.allow_hold:
                raise UserError(_(
                    "The stage %(stage)s does not ask students to come in "
                    "person.") % {"stage": line.stage_id.name})
            if line.state == "hold":
                raise UserError(_(
                    "%(request)s is already waiting for the student's visit.")
                    % {"request": request.name})
            text = (self._text(instructions) or line.visit_instructions or "").strip()
            if not text:
                raise UserError(_(
                    "Tell the student what to bring and where to come: the "
                    "instructions for the visit are required."))
            request._with_words("hold", line, text).write(dict(
                request._record_decision(line, {
                    "state": "hold", "decision": "visit",
                    "visit_required": True, "visit_instructions": text}),
                state="hold"))
        return True

    @api.multi
    @workflow_action
    def return_to_student(self, reason=None):
        """Return the request to the student for a correction, for `reason`
        (by default the one written in the stage form)."""
        acting = self._start_office_action()
        for request in self:
            line = acting[request.id]
            text = (self._text(reason) or line.return_reason or "").strip()
            if not text:
                raise UserError(_(
                    "Say why the request goes back to the student: the reason "
                    "is required."))
            request._with_words("returned", line, text).write(dict(
                request._record_decision(line, {
                    "state": "returned", "decision": "returned",
                    "return_reason": text}), state="returned"))
            request._sync_office_activities()
        return True

    @api.multi
    @workflow_action
    def resubmit(self, note=None, reason=None):
        """The student has corrected the request (their `note`, another
        `reason`); it resumes where it stopped."""
        self._check_student_owner()
        self._lock()
        for request in self:
            if request.state != "returned":
                raise UserError(_(
                    "Only a returned request can be sent again."))
            vals = {"state": "progress", "stage_date": fields.Datetime.now()}
            if note is not None:
                vals["student_note"] = self._text(note)
            if reason:
                if not isinstance(reason, str) or reason not in dict(REASONS):
                    raise UserError(_("Choose one of the listed reasons."))
                vals["reason"] = reason
            # sudo: the student's action reopens the office's step
            transition(request.current_line_id).sudo().write(
                {"state": "current"})
            transition(request, "resubmitted").write(vals)
            request._sync_office_activities()
        return True

    @api.multi
    @workflow_action
    def action_cancel(self):
        """The student withdraws the request before it is cleared."""
        self._check_student_owner()
        self._lock()
        self._check_open()
        now = fields.Datetime.now()
        for request in self:
            if request.current_line_id:
                # sudo: cancelling closes the office's step too
                transition(request.current_line_id).sudo().write(
                    {"state": "cancelled"})
            transition(request, "cancelled").write(
                {"state": "cancelled", "cancel_date": now})
            request._sync_office_activities()
        return True

    @api.multi
    @workflow_action
    def action_reopen(self):
        """A manager reopens a cancelled request where it stopped."""
        if not self._is_manager():
            raise AccessError(_("Only a clearance manager can reopen a request."))
        self._lock()
        for request in self:
            if request.state != "cancelled":
                raise UserError(_("Only a cancelled request can be reopened."))
            request._ensure_no_open_request(request.partner_id.ids)
            line = request.current_line_id
            if line:
                # sudo: the manager's reopening gives the office its step back
                transition(line).sudo().write({"state": "current"})
            transition(request, "reopened").write({
                "state": "progress" if line else "draft",
                "cancel_date": False,
                "stage_date": fields.Datetime.now()})
            request._sync_office_activities()
        return True

    # ------------------------------------------------------------------
    # mechanism
    # ------------------------------------------------------------------
    def _text(self, value):
        """A text argument of an action, or a clear refusal of anything else."""
        return check_text(self.env, value) or ""

    def _start_office_action(self):
        """Check the user's office may act, lock the rows, and check again
        on the locked state (another officer may have acted meanwhile).
        Returns the step each request's action decides, by request id, as
        the check on the locked state found it."""
        self._check_office_turn()
        self._lock()
        return self._check_office_turn()

    def _record_decision(self, line, line_vals):
        """The decision of the office of `line`, the acting step: the step
        records it (with the officer). Returns what the request's one write
        of the transition must carry: the office has acted on it."""
        self.ensure_one()
        # sudo: a clearance manager may decide for any office, whose step
        # the line rules reserve to its own officers.
        transition(line).sudo().write(
            dict(line_vals, officer_id=self.env.uid))
        return {"handled_group_ids": [(4, line.group_id.id)]}

    def _applicable_stages(self):
        """The active stages whose condition this request meets, in order."""
        self.ensure_one()
        if not self.id:
            return self.env["clearance.stage"]
        # sudo: students and officers may not read every stage's settings,
        # but the route of a request depends on all of them.
        stages = self.env["clearance.stage"].sudo().search([])
        return stages.filtered(lambda stage: stage._applies_to(self)).sudo(
            self.env.uid)

    def _build_route(self):
        """Create one line per applicable active stage, in stage order."""
        self.ensure_one()
        if self.line_ids:
            return self.line_ids.sorted(lambda l: (l.sequence, l.id))
        # sudo: the route is the workflow's own bookkeeping; its students and
        # officers may not create steps.
        Line = transition(self.env["clearance.request.line"]).sudo()
        lines = Line.browse()
        for stage in self._applicable_stages():
            lines |= Line.create({
                "request_id": self.id, "stage_id": stage.id,
                "sequence": stage.sequence})
        if not lines.filtered(lambda l: l.kind != "create"):
            raise UserError(_(
                "No office stage applies to this request; ask a clearance "
                "manager to check the stages' conditions."))
        return lines

    def _next_line(self, line):
        """The step after `line` on the route, none after the last one."""
        # sudo: the route's later steps belong to other offices; searched
        # in the route's order without the officers' record rules.
        later = self.env["clearance.request.line"].sudo().search([
            ("request_id", "=", self.id), ("state", "=", "waiting")])
        return later.filtered(
            lambda l: (l.sequence, l.id) > (line.sequence, line.id))[:1]

    def _move_to(self, line, step, vals=None):
        """Make `line` current, or clear the request when there is none, in
        one write of the request (with `vals`) that records `step`; then give
        the to-dos to the office it reached."""
        self.ensure_one()
        # Alone: a bulk action's request would otherwise read every request
        # of the batch again after each move wrote one of them.
        self = self.with_prefetch()
        now = fields.Datetime.now()
        vals = dict(vals or {}, stage_date=now)
        if line:
            # sudo: the route's next step belongs to another office
            transition(line).sudo().write(
                {"state": "current", "date_start": now})
            vals.update(state="progress", stage_id=line.stage_id.id,
                        current_line_id=line.id)
        else:
            vals.update(self._cleared_vals(now))
        moved = transition(self, step)
        moved.write(vals)
        moved._sync_office_activities()

    def _cleared_vals(self, now):
        """What the request's write carries when the last office clears it."""
        return {"state": "cleared", "current_line_id": False,
                "clear_date": now}

    def _office_users(self):
        self.ensure_one()
        # sudo: a student's action hands the request to an office whose
        # members only employees may list.
        return self.sudo().stage_id.group_id.users.filtered(lambda u: u.active)

    def _sync_office_activities(self):
        """The to-dos of the request: one for each member of the office it
        waits for, in their language; none once no office has it. Given in
        the transaction that moves the request: the previous office's to-dos
        are handed over to the next office's officers (one write each),
        rather than deleted and created again."""
        activity_type_id = self.env["ir.model.data"].xmlid_to_res_id(
            "mail.mail_activity_data_todo", raise_if_not_found=True)
        model_id = self.env["ir.model"]._get_id(self._name)
        # sudo: the to-dos go to the next office's officers, whom the acting
        # user (a student or another office) cannot assign. Officers are not
        # made followers by their to-dos: they would be told of every later
        # step of a request that left their office.
        Activity = self.env["mail.activity"].sudo().with_context(
            clearance_no_follow=True)
        # sudo: read as the system, where the to-dos are written
        for request in self.sudo():
            wanted = {}
            if request.state in ("progress", "hold"):
                for user in request._office_users():
                    wanted[user] = {
                        "user_id": user.id,
                        "summary": request.with_context(
                            lang=user.lang)._todo_summary(),
                        "date_deadline": fields.Date.context_today(
                            request.with_context(tz=user.tz)),
                        "activity_type_id": activity_type_id,
                    }
            stale = Activity.browse()
            for todo in Activity.search([
                    ("res_model", "=", self._name),
                    ("res_id", "=", request.id)]):
                vals = wanted.get(todo.user_id)
                if vals and vals["summary"] == todo.summary:
                    del wanted[todo.user_id]
                else:
                    stale |= todo
            for user, vals in list(wanted.items()):
                if not stale:
                    break
                todo, stale = stale[0], stale[1:]
                # only what changes: a deadline written again would have
                # every model with a stored next deadline searched
                todo.write({
                    name: value for name, value in vals.items()
                    if todo._fields[name].convert_to_write(
                        todo[name], todo) != value})
                del wanted[user]
            stale.unlink()
            for user, vals in wanted.items():
                Activity.with_context(lang=user.lang).create(dict(
                    vals, res_model_id=model_id, res_id=request.id))
        # mail.activity's res_id is no many2one: the requests' cached to-dos
        # do not know of the ones given or handed over.
        self.invalidate_cache(["activity_ids"])

    def format_date(self, value, with_time=False, lang=None, reader=None):
        """A date as the student reads it: Jalali with Persian digits in
        Persian, ISO otherwise. Used by portal pages, mails and reports.

        Without a `reader` the date is in this environment's time zone (the
        user's, on a page). A mail passes its reader, a partner: the day is
        then the one on the reader's clock, whoever's action sent the mail
        (the university's zone when the reader has none)."""
        lang = lang or self.env.context.get("lang") or self.env.user.lang
        if reader is not None:
            tz_name = reader.tz
        else:
            tz_name = self.env.context.get("tz") or self.env.user.tz
        return jalali.format_date(value, lang, tz_name, with_time=with_time)

    def _with_words(self, step, line, text):
        """The request in the transition of a visit asked or a return, whose
        chatter line carries the office's words in the student's language."""
        student = self.with_context(lang=self.sudo().partner_id.lang)
        words = student._office_words(step, line, text)
        return with_words(transition(self, step), words)

    def _office_words(self, step, line, text):
        """The office's words, in this environment's language."""
        stage = line.with_env(self.env).stage_id.name
        if step == "hold":
            return _("Your in-person visit to %(office)s is required. "
                     "%(text)s") % {"office": stage, "text": text}
        return _("%(office)s returned your request: %(text)s") % {
            "office": stage, "text": text}

    def _todo_summary(self):
        """The title of an office's to-do, in this environment's language."""
        return _("Clearance: %(stage)s") % {"stage": self.stage_id.name}

    def _post_to_student(self, body):
        """Tell the student something on the request's thread.

        The student reads it in the portal's chatter (a comment under a public
        subtype) but is not mailed by it: the student follows only comments."""
        self.ensure_one()
        self.message_post(
            body=body, message_type="comment",
            subtype="clearance_request.mt_request_stage",
            content_subtype="plaintext",
            author_id=self.env.user.partner_id.id)
