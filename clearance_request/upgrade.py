"""Changes of the shipped data that an update cannot make by itself (the
records are noupdate, and administrators may have edited them)."""
import re

from odoo import SUPERUSER_ID, api

# 11.0.1.1.0: the workflow's mails moved from on-write automated actions on
# the request to actions on the request's events (model clearance.event).
EVENT_OF_ACTION = {
    "automation_request_submitted": "submitted",
    "automation_request_new_office": "submitted",
    "automation_request_forwarded": "forwarded",
    "automation_request_hold": "hold",
    "automation_request_returned": "returned",
    "automation_request_cleared": "cleared",
    "automation_request_cancelled": "cancelled",
}
TEMPLATE_FIELDS = ("subject", "body_html", "partner_to", "lang", "email_from")


def event_expressions(text):
    """A template text written for a request, rewritten for its event: the
    request is object.request_id, the office's step object.line_id."""
    if not text:
        return text
    text = re.sub(r"\s*% set cleared = object\.line_ids\.filtered\('date_done'\)"
                  r"\.sorted\('sequence'\)\[-1:\]\n", "\n", text)
    text = text.replace("${cleared.group_id.name}", "${object.line_id.group_id.name}")
    text = text.replace("object.format_date(cleared.date_done)",
                        "object.request_id.format_date(object.date)")
    for name in ("submit_date", "clear_date", "cancel_date"):
        text = text.replace("object.format_date(object.%s" % name,
                            "object.request_id.format_date(object.date")
    text = text.replace("${object.current_line_id.visit_instructions}", "${object.note}")
    text = text.replace("${object.current_line_id.return_reason}", "${object.note}")
    return re.sub(r"object\.(name|partner_id|id|student_number)\b",
                  r"object.request_id.\1", text)


def move_mails_to_events(env):
    """Make the shipped mails' actions and templates (edited or not) work on
    events. Texts keep their wording; only their expressions change."""
    event_model = env.ref("clearance_request.model_clearance_event")
    for xmlid, event in EVENT_OF_ACTION.items():
        action = env.ref("clearance_request.%s" % xmlid, raise_if_not_found=False)
        if not action or action.model_id == event_model:
            continue
        # import_file: no registry reload from here (and no commit); the
        # update reloads the registry once it is done.
        action.with_context(import_file=True).write({
            "model_id": event_model.id, "trigger": "on_clearance_event",
            "clearance_event": event, "filter_pre_domain": False,
            "filter_domain": False,
            "code": (action.code or "").replace(
                "record._send_clearance_mail(", "record._send_mail("),
        })
        template_xmlid = re.search(r'"(clearance_request\.mail_template_\w+)"',
                                   action.code or "")
        template = template_xmlid and env.ref(
            template_xmlid.group(1), raise_if_not_found=False)
        if not template or template.model_id == event_model:
            continue
        template.write(dict(
            {name: event_expressions(template[name]) for name in TEMPLATE_FIELDS},
            model_id=event_model.id))
        translations = env["ir.translation"].search([
            ("name", "in", ["mail.template,%s" % f for f in TEMPLATE_FIELDS]),
            ("res_id", "=", template.id)])
        for translation in translations:
            translation.write({"src": event_expressions(translation.src),
                               "value": event_expressions(translation.value)})


def migrate_to_events(cr):
    move_mails_to_events(api.Environment(cr, SUPERUSER_ID, {}))
