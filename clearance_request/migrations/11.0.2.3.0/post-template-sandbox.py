"""The daily digest's template lists the lines given in its context.

mail_template_security's sandbox refuses ``object.env``, through which the
digest's template browsed the office's overdue lines; it now iterates over
the lines the scheduled action passes. The template is data an
administrator may edit (noupdate): only that expression is rewritten, in the
template and in its translations."""

OLD = ("object.env['clearance.request.line']"
       ".browse(ctx.get('clearance_line_ids') or [])")
NEW = "ctx.get('clearance_lines') or []"


def migrate(cr, version):
    if not version:
        return
    cr.execute("""SELECT res_id FROM ir_model_data
                  WHERE module = 'clearance_request' AND model = 'mail.template'
                    AND name = 'mail_template_sla_digest'""")
    ids = tuple(row[0] for row in cr.fetchall())
    if not ids:
        return
    cr.execute("""UPDATE mail_template SET body_html = replace(body_html, %s, %s)
                  WHERE id IN %s""", (OLD, NEW, ids))
    cr.execute("""UPDATE ir_translation
                  SET src = replace(src, %s, %s), value = replace(value, %s, %s)
                  WHERE name = 'mail.template,body_html' AND res_id IN %s""",
               (OLD, NEW, OLD, NEW, ids))
