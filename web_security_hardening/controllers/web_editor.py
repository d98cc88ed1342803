import re

import werkzeug.exceptions

from odoo import http
from odoo.http import request
from odoo.addons.web_editor.controllers import main

from .main import image_size

# The templates the html field's editor may be rendered with (its own, and
# those Odoo's addons name in their views' options).
EDITOR_TEMPLATES = (
    "web_editor.FieldTextHtml",
    "mass_mailing.FieldTextHtmlInline",
    "mass_mailing.FieldTextHtmlPopupContent",
    "point_of_sale.FieldTextHtml",
)
# Parameters the editor's page writes unescaped into the page: never taken
# from the query string.
RAW_PARAMETERS = ("head", "add_html", "content", "dont_load_assets")
SNIPPETS_URL = re.compile(r"^/[a-z0-9_]+(/[a-z0-9_]+)*$")


class WebEditor(main.Web_Editor):

    @http.route()
    def FieldTextHtml(self, model=None, res_id=None, field=None,
                      callback=None, **kwargs):
        template = kwargs.get("template")
        if template and template not in EDITOR_TEMPLATES:
            raise werkzeug.exceptions.Forbidden()
        snippets = kwargs.get("snippets")
        if snippets and not SNIPPETS_URL.match(snippets):
            raise werkzeug.exceptions.Forbidden()
        if any(name in request.params for name in RAW_PARAMETERS):
            raise werkzeug.exceptions.Forbidden()
        return super().FieldTextHtml(
            model=model, res_id=res_id, field=field, callback=callback,
            **kwargs)

    @http.route()
    def export_icon_to_png(self, icon, color="#000", size=100, alpha=255,
                           **kwargs):
        # The font is Font Awesome's, never a path from the query string.
        return super().export_icon_to_png(
            icon, color=color, size=image_size(size) or 1,
            alpha=min(image_size(alpha), 255))
