"""The student's mails give each day on the student's clock.

The mail templates are data an administrator may edit (noupdate), so an
update does not reload them: here the one expression that changed is
rewritten, in the template and in its translations, and nothing else of an
edited template is touched."""

TEMPLATES = ("mail_template_request_submitted",
             "mail_template_request_forwarded",
             "mail_template_request_cleared",
             "mail_template_request_cancelled")
FIELDS = ("object.submit_date", "object.last_done_line_id.date_done",
          "object.clear_date", "object.cancel_date")


def migrate(cr, version):
    if not version:
        return
    cr.execute("""SELECT res_id FROM ir_model_data
                  WHERE module = 'clearance_request' AND model = 'mail.template'
                    AND name IN %s""", (TEMPLATES,))
    ids = tuple(row[0] for row in cr.fetchall())
    if not ids:
        return
    for field in FIELDS:
        old = "format_date(%s)" % field
        new = "format_date(%s, reader=object.partner_id)" % field
        cr.execute("""UPDATE mail_template SET body_html = replace(body_html, %s, %s)
                      WHERE id IN %s""", (old, new, ids))
        cr.execute("""UPDATE ir_translation
                      SET src = replace(src, %s, %s), value = replace(value, %s, %s)
                      WHERE name = 'mail.template,body_html' AND res_id IN %s""",
                   (old, new, old, new, ids))
