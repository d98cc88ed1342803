from werkzeug.urls import url_parse

from odoo import SUPERUSER_ID, api, models
from odoo.http import request


class IrHttp(models.AbstractModel):
    """A link attachment made by a user outside the employees (before this
    addon refused them, or by a door it does not know) does not send the
    one who opens it to another site: `/web/content` answers it 404."""

    _inherit = "ir.http"

    @classmethod
    def binary_content(cls, xmlid=None, model="ir.attachment", id=None,
                       field="datas", unique=False, filename=None,
                       filename_field="datas_fname", download=False,
                       mimetype=None,
                       default_mimetype="application/octet-stream",
                       access_token=None, env=None):
        status, headers, content = super().binary_content(
            xmlid=xmlid, model=model, id=id, field=field, unique=unique,
            filename=filename, filename_field=filename_field,
            download=download, mimetype=mimetype,
            default_mimetype=default_mimetype, access_token=access_token,
            env=env)
        if status == 301 and model == "ir.attachment" and content:
            env = env or request.env
            su_env = api.Environment(env.cr, SUPERUSER_ID, {})
            attachment = su_env.ref(xmlid, False) if xmlid else \
                su_env["ir.attachment"].browse(int(id or 0))
            target = url_parse(content)
            same_site = not target.netloc or (
                request and target.netloc == request.httprequest.host)
            if attachment and not same_site and \
                    attachment.create_uid.share:
                return (404, [], None)
        return status, headers, content
