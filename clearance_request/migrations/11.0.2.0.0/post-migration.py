"""11.0.2.0.0: what follows a workflow step is done in the step's own
transaction, on Odoo's own mechanisms, no longer by the event queue.

On a database of 11.0.1.x this upgrade:

- moves the shipped automated actions to the request (model Clearance
  request, On Update, the Before / After conditions of
  data/base_automation_data.xml, Send Email with their template), keeping
  their names and their Active flag;
- rewrites the shipped mail templates (and their translations) for the
  request: the wording an administrator gave them is kept, only the
  expressions change (`object.request_id.name` becomes `object.name`...);
- moves the automated actions an administrator attached to events to the
  request, switched off: their code and conditions were written for events;
- does the events still waiting in the queue (or failed): the chatter line
  of each step (with the office's words to the student on a visit or a
  return), the mails of its automated actions (queued), then the to-dos of
  each request;
- removes the event queue: its scheduled action, its model and table.

It runs as the superuser with the new code; the event table is still there
and is read with SQL (its model is gone from the registry)."""
import ast
import logging
import re

from lxml import etree

from odoo import SUPERUSER_ID, api, tools
from odoo.modules.module import get_module_resource
from odoo.osv import expression

from odoo.addons.clearance_request.models.clearance_request import \
    STATE_SUBTYPES

_logger = logging.getLogger("odoo.addons.clearance_request.migrations")

MODULE = "clearance_request"
EVENT_MODEL = "clearance.event"
REQUEST_MODEL = "clearance.request"
EVENT_TABLE = "clearance_event"

# The shipped automated actions: the event each was attached to and the
# template it mailed.
SHIPPED_ACTIONS = {
    "automation_request_submitted": ("submitted", "mail_template_request_submitted"),
    "automation_request_new_office": ("submitted", "mail_template_request_new_office"),
    "automation_request_forwarded": ("forwarded", "mail_template_request_forwarded"),
    "automation_request_hold": ("hold", "mail_template_request_hold"),
    "automation_request_returned": ("returned", "mail_template_request_returned"),
    "automation_request_cleared": ("cleared", "mail_template_request_cleared"),
    "automation_request_cancelled": ("cancelled", "mail_template_request_cancelled"),
}

# What an event's fields become on the request, per shipped template: the
# step the template speaks of, the office's words, the moment of the step.
SHIPPED_TEMPLATES = {
    "mail_template_request_submitted": {
        "line": "current_line_id", "date": "submit_date"},
    "mail_template_request_new_office": {
        "line": "current_line_id", "date": "submit_date"},
    "mail_template_request_forwarded": {
        "line": "last_done_line_id", "date": "last_done_line_id.date_done"},
    "mail_template_request_hold": {
        "line": "current_line_id", "date": "write_date",
        "note": "cur_visit_instructions"},
    "mail_template_request_returned": {
        "line": "current_line_id", "date": "write_date",
        "note": "cur_return_reason"},
    "mail_template_request_cleared": {
        "line": "last_done_line_id", "date": "clear_date"},
    "mail_template_request_cancelled": {
        "line": "current_line_id", "date": "cancel_date"},
}
# Any other template written for events.
OTHER_TEMPLATE = {
    "line": "current_line_id", "date": "write_date",
    "note": "(object.cur_visit_instructions or object.cur_return_reason)"}
TEMPLATE_FIELDS = ("subject", "body_html", "partner_to", "lang", "email_from")
# Fields of an event that have no counterpart on the request.
EVENT_ONLY = re.compile(
    r"\bobject\.(event|user_id|from_stage_id|from_state|to_state|"
    r"date_done|error|state)\b")


def request_expressions(text, spec):
    """A template text written for an event, rewritten for its request:
    the inverse of the 11.0.1.1.0 upgrade."""
    if not text:
        return text
    text = re.sub(r"\bobject\.request_id\.", "object.", text)
    text = re.sub(r"\bobject\.request_id\b", "object", text)
    text = re.sub(r"\bobject\.line_id\b", "object.%s" % spec["line"], text)
    note = spec.get("note") or OTHER_TEMPLATE["note"]
    if not note.startswith("("):
        note = "object.%s" % note
    text = re.sub(r"\bobject\.note\b", note, text)
    return re.sub(r"\bobject\.date\b", "object.%s" % spec["date"], text)


def shipped_conditions():
    """The Before / After conditions of the shipped automated actions, as
    data/base_automation_data.xml gives them to a new database."""
    path = get_module_resource(MODULE, "data", "base_automation_data.xml")
    conditions = {}
    for record in etree.parse(path).iterfind("//record[@model='base.automation']"):
        values = {field.get("name"): (field.text or "").strip() or False
                  for field in record.iterfind("field")}
        conditions[record.get("id")] = {
            "filter_pre_domain": values.get("filter_pre_domain") or False,
            "filter_domain": values.get("filter_domain") or False,
        }
    return conditions


def event_domain_for_request(domain):
    """An administrator's condition on events, for the request, when every
    part of it names the request (`request_id.x`) or what an event shares
    with its request (its stage, its office); None otherwise."""
    try:
        leaves = ast.literal_eval(domain or "[]")
    except (ValueError, SyntaxError):
        return None
    converted = []
    for leaf in leaves:
        if not isinstance(leaf, (list, tuple)):
            converted.append(leaf)  # an operator: '&', '|', '!'
            continue
        path = leaf[0]
        if path.startswith("request_id."):
            path = path[len("request_id."):]
        elif path.split(".")[0] not in ("stage_id", "office_id"):
            return None
        converted.append((path,) + tuple(leaf[1:]))
    return converted


class Upgrade(object):
    """The upgrade of one database, see the module's docstring."""

    def __init__(self, cr):
        self.cr = cr
        self.env = api.Environment(cr, SUPERUSER_ID, {})
        IrModel = self.env["ir.model"]
        self.event_model = IrModel.search([("model", "=", EVENT_MODEL)])
        self.request_model = IrModel.search([("model", "=", REQUEST_MODEL)])

    def ref(self, name):
        return self.env.ref("%s.%s" % (MODULE, name), raise_if_not_found=False)

    def run(self):
        if not self.event_model:
            return
        self.move_templates()
        automations = self.move_automations()
        self.move_other_server_actions()
        self.remove_scheduled_action()
        self.do_waiting_events(automations)
        self.remove_event_model()

    # ------------------------------------------------------------------
    # templates
    # ------------------------------------------------------------------
    def move_templates(self):
        templates = self.env["mail.template"].with_context(
            active_test=False).search([("model_id", "=", self.event_model.id)])
        for template in templates:
            xmlid = template.get_external_id().get(template.id, "")
            spec = SHIPPED_TEMPLATES.get(xmlid.partition(".")[2])
            if spec is None:
                spec = OTHER_TEMPLATE
                _logger.warning(
                    "Mail template %r (id %s) was written for clearance "
                    "events: its expressions now read the request; check it.",
                    template.name, template.id)
            # The translations first: rewriting the template's own text
            # leaves them as they are.
            translations = self.env["ir.translation"].search([
                ("name", "in", ["mail.template,%s" % name
                                for name in TEMPLATE_FIELDS]),
                ("res_id", "=", template.id)])
            for translation in translations:
                translation.write({
                    "src": request_expressions(translation.src, spec),
                    "value": request_expressions(translation.value, spec)})
            values = {name: request_expressions(template[name], spec)
                      for name in TEMPLATE_FIELDS}
            template.write(dict(values, model_id=self.request_model.id))
            texts = list(values.values()) + translations.mapped("value")
            if any(text and EVENT_ONLY.search(text) for text in texts):
                _logger.warning(
                    "Mail template %r (id %s) reads fields that only events "
                    "had (who acted, the previous stage or status...): "
                    "rewrite those parts for the request.",
                    template.name, template.id)

    # ------------------------------------------------------------------
    # automated actions
    # ------------------------------------------------------------------
    def event_automations(self):
        """{automation id: its event} of the actions on events."""
        self.cr.execute("""
            SELECT a.id, a.trigger, a.clearance_event
            FROM base_automation a
            JOIN ir_act_server s ON s.id = a.action_server_id
            WHERE s.model_id = %s OR a.trigger = 'on_clearance_event'
            ORDER BY a.id""", [self.event_model.id])
        return {automation_id: event if trigger == "on_clearance_event" else None
                for automation_id, trigger, event in self.cr.fetchall()}

    def move_automations(self):
        """Move the actions on events to the request; returns the shipped
        ones, {event: automations}, for the waiting events."""
        Automation = self.env["base.automation"].with_context(
            active_test=False, import_file=True)
        conditions = shipped_conditions()
        events = self.event_automations()
        shipped = {}
        for xmlid, (event, template_xmlid) in SHIPPED_ACTIONS.items():
            automation = self.ref(xmlid)
            if not automation or automation.id not in events:
                continue
            automation = automation.with_context(
                active_test=False, import_file=True)
            # The template the action mailed: an administrator may have
            # pointed its code at another one.
            found = re.search(r'"%s\.(mail_template_\w+)"' % MODULE,
                              automation.code or "")
            template = self.ref(found.group(1) if found else template_xmlid)
            values = dict(conditions[xmlid], model_id=self.request_model.id,
                          trigger="on_write", state="email",
                          template_id=template.id if template else False,
                          code=False)
            own = automation.filter_domain
            if own and own.strip() not in ("[]", ""):
                extra = event_domain_for_request(own)
                if extra is None:
                    _logger.warning(
                        "Automated action %r: its condition %s was written "
                        "for events and is dropped; check the action.",
                        automation.name, own)
                else:
                    values["filter_domain"] = str(expression.AND([
                        ast.literal_eval(values["filter_domain"] or "[]"),
                        extra]))
            automation.write(values)
            shipped.setdefault(event, Automation.browse())
            shipped[event] |= automation
            del events[automation.id]
        for automation in Automation.browse(list(events)):
            event = events[automation.id]
            step = ("=", event) if event else ("!=", False)
            automation.write({
                "model_id": self.request_model.id, "trigger": "on_write",
                "filter_pre_domain": False,
                "filter_domain": str([("workflow_step",) + step]),
                "active": False,
            })
            _logger.warning(
                "Automated action %r (id %s) ran on clearance events, which "
                "are gone: it now applies to the request, on the step %s, "
                "and is switched off; its code and conditions were written "
                "for events: rewrite them for the request and switch it on.",
                automation.name, automation.id, event or "(any)")
        return shipped

    def move_other_server_actions(self):
        """Server actions an administrator made on events (not automated
        actions, not the queue's scheduled action): kept, on the request."""
        cron = self.ref("ir_cron_process_events")
        Action = self.env["ir.actions.server"].with_context(active_test=False)
        actions = Action.search([("model_id", "=", self.event_model.id)])
        actions -= self.env["base.automation"].with_context(
            active_test=False).search([]).mapped("action_server_id")
        if cron:
            actions -= cron.ir_actions_server_id
        for action in actions:
            values = {"model_id": self.request_model.id}
            if action.binding_model_id == self.event_model:
                values["binding_model_id"] = False
            action.write(values)
            _logger.warning(
                "Server action %r (id %s) was written for clearance events: "
                "it now applies to the request; check its code.",
                action.name, action.id)

    def remove_scheduled_action(self):
        cron = self.ref("ir_cron_process_events")
        if cron:
            action = cron.ir_actions_server_id
            cron.unlink()
            action.unlink()
        self.env["ir.model.data"].search([
            ("module", "=", MODULE),
            ("name", "in", ["ir_cron_process_events",
                            "ir_cron_process_events_ir_actions_server"]),
        ]).unlink()

    # ------------------------------------------------------------------
    # the events still waiting
    # ------------------------------------------------------------------
    def do_waiting_events(self, automations):
        """What the queue would have done for the events it had not done:
        in their order, the chatter line and the mails of each; then the
        to-dos of the requests."""
        self.cr.execute("""
            SELECT id, request_id, event, line_id, user_id, date,
                   from_stage_id, stage_id, from_state, to_state, note
            FROM clearance_event
            WHERE state IN ('pending', 'failed')
            ORDER BY id""")
        columns = [column[0] for column in self.cr.description]
        events = [dict(zip(columns, row)) for row in self.cr.fetchall()]
        Request = self.env[REQUEST_MODEL]
        requests = Request.browse()
        for event in events:
            request = Request.browse(event["request_id"])
            user = self.env["res.users"].browse(event["user_id"])
            self.post_tracking(request, user, event)
            for automation in automations.get(event["event"], []):
                if automation.active and automation.template_id:
                    self.queue_mail(automation.template_id, request, event)
            requests |= request
        requests._sync_office_activities()
        if events:
            _logger.info("did the %d events the queue had left: %s",
                         len(events), ", ".join(sorted(set(requests.mapped("name")))))

    def post_tracking(self, request, user, event):
        """The chatter line of the step, as a step writes it now: the stage
        and status it changed (in the language of the user who acted) and,
        on a visit asked or a return, the office's words to the student (in
        the student's); signed by the user who acted, at the moment they
        acted."""
        Stage = self.env["clearance.stage"].with_context(
            lang=user.lang, active_test=False)
        info = request.with_context(lang=user.lang).fields_get(
            ["stage_id", "state"])
        old = {"stage_id": Stage.browse(event["from_stage_id"] or []),
               "state": event["from_state"]}
        new = {"stage_id": Stage.browse(event["stage_id"] or []),
               "state": event["to_state"]}
        Tracking = self.env["mail.tracking.value"]
        values = []
        for name in ("stage_id", "state"):
            if old[name] == new[name]:
                continue
            vals = Tracking.create_tracking_values(
                old[name], new[name], name, info[name])
            if vals:
                values.append((0, 0, vals))
        if not values:
            return
        # The subtype the step's tracking has now (_track_subtype).
        subtype = "clearance_request.mt_request_stage"
        if event["from_state"] != event["to_state"]:
            subtype = STATE_SUBTYPES.get(event["to_state"], subtype)
        words = {}
        if event["event"] in ("hold", "returned"):
            line = self.env["clearance.request.line"].browse(
                event["line_id"] or [])
            student = request.with_context(lang=request.partner_id.lang)
            words = {"body": student._office_words(
                event["event"], line, event["note"] or ""),
                "message_type": "comment", "content_subtype": "plaintext"}
        request.message_post(
            author_id=user.partner_id.id, email_from=self.address(user),
            tracking_value_ids=values, subtype=subtype, date=event["date"],
            **words)

    def queue_mail(self, template, request, event):
        """The mail of an automated action of the event, rendered on the
        request and queued; its message stays on the request's thread."""
        try:
            with self.cr.savepoint():
                mail = self.env["mail.mail"].browse(template.send_mail(
                    request.id, email_values={"notification": True}))
                mail.write({"partner_ids": [(6, 0, mail.recipient_ids.ids)]})
        except Exception as err:  # pylint: disable=broad-except
            # One broken template does not stop the upgrade: the step is
            # done, its mail is named here for the administrator to send.
            _logger.error(
                "%s: the mail %r of its waiting %s step could not be "
                "queued: %s", request.name, template.name, event["event"],
                tools.ustr(err))

    @staticmethod
    def address(user):
        partner = user.partner_id
        if not partner.email:
            return False
        return tools.formataddr((partner.name, partner.email))

    # ------------------------------------------------------------------
    # the event model
    # ------------------------------------------------------------------
    def remove_event_model(self):
        """The event model, its fields (and the fields pointing at it), its
        table. SQL: the model is no longer in the registry, so the ORM can
        neither unlink its records nor drop its table; Odoo's cleanup after
        the update does not remove models or fields either."""
        cr = self.cr
        cr.execute("""
            SELECT id FROM ir_model_fields
            WHERE model = %s OR relation = %s
               OR (model = 'base.automation' AND name = 'clearance_event')""",
                   [EVENT_MODEL, EVENT_MODEL])
        field_ids = tuple(row[0] for row in cr.fetchall())
        if field_ids:
            cr.execute("""DELETE FROM ir_model_data
                          WHERE model = 'ir.model.fields' AND res_id IN %s""",
                       [field_ids])
            cr.execute("""DELETE FROM ir_translation
                          WHERE name LIKE 'ir.model.fields,%%' AND res_id IN %s""",
                       [field_ids])
            cr.execute("DELETE FROM ir_model_fields WHERE id IN %s", [field_ids])
        cr.execute("""DELETE FROM ir_translation
                      WHERE name LIKE 'clearance.event,%%'
                         OR name = 'base.automation,clearance_event'""")
        cr.execute("ALTER TABLE base_automation DROP COLUMN IF EXISTS clearance_event")
        model_id = self.event_model.id
        cr.execute("""DELETE FROM ir_model_data
                      WHERE model = 'ir.model' AND res_id = %s""", [model_id])
        cr.execute("""DELETE FROM ir_translation
                      WHERE name LIKE 'ir.model,%%' AND res_id = %s""", [model_id])
        # its access rights, record rules and left-over actions go with it
        cr.execute("DELETE FROM ir_model WHERE id = %s", [model_id])
        cr.execute('DROP TABLE IF EXISTS "%s" CASCADE' % EVENT_TABLE)
        self.env["ir.model"].invalidate_cache()


def migrate(cr, version):
    if version:
        Upgrade(cr).run()
