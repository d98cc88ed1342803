from odoo import api, models
from odoo.tools import html_escape


class ImageConverter(models.AbstractModel):
    _inherit = "ir.qweb.field.image"

    @api.model
    def record_to_html(self, record, field_name, options):
        """The image with an alternative text: the widget's `alt` option,
        else the record's name (as Odoo 12's widget does). Odoo 11 renders
        an <img> without one, which screen readers read as its file."""
        html = super().record_to_html(record, field_name, options)
        if not html or not html.startswith("<img ") or " alt=" in html:
            return html
        alt = options.get("alt")
        if alt is None:
            alt = record.display_name or ""
        return '<img alt="%s" %s' % (html_escape(alt), html[len("<img "):])
