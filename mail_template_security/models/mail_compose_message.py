from odoo import api, models, tools

from .. import guard
from .mail_template import check_readable

# The composer's fields rendered in mass-mail mode, and the template's
# fields whose values they take from onchange_template_id.
TEMPLATE_FIELDS = {
    "subject": "subject",
    "body": "body_html",
    "email_from": "email_from",
    "reply_to": "reply_to",
}


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    @api.multi
    def _template_sources(self):
        """The composer's texts that are its template's own, as
        onchange_template_id copied them (the body sanitized as the
        composer stores it, with or without the user's signature)."""
        self.ensure_one()
        template = self.template_id
        if not template:
            return frozenset()
        sources = set()
        for field, template_field in TEMPLATE_FIELDS.items():
            value = template[template_field]
            if not value:
                continue
            variants = [value]
            if template_field == "body_html":
                signature = self.env.user.signature
                if template.user_signature and signature:
                    variants.append(tools.append_content_to_html(
                        value, signature, plaintext=False))
            for variant in variants:
                sources.add(variant)
                sources.add(self._fields[field].convert_to_cache(
                    variant, self))
        return frozenset(
            source for source, field in (
                (self[field], field) for field in TEMPLATE_FIELDS)
            if source in sources)

    @api.multi
    def render_message(self, res_ids):
        """In mass-mail mode the composer renders its subject, body, sender
        and reply-to on each record: for a user who is not a template
        editor, only when they are its template's, on records the user may
        read."""
        self.ensure_one()
        if guard.is_editor(self.env):
            return super().render_message(res_ids)
        check_readable(self.env, self.model, res_ids)
        with guard.Flag(guard.TRUSTED, self._template_sources()):
            return super().render_message(res_ids)
