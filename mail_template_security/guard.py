"""Who may render and write templates, and which sources are trusted.

A template's stored fields are written by administrators and template
editors only (models/mail_template.py), so rendering them is allowed to
anyone who may read the template and the records; a text given by the caller
(``render_template`` over RPC, the composer's subject and body in mass-mail
mode) is rendered only for template editors. ``TRUSTED`` tells
``render_template`` which sources come from a stored template: it is set by
the server's own code (``generate_email``, the composer), never from a
request's context, which a client writes."""
import contextvars

from jinja2.exceptions import TemplateSyntaxError

from odoo import SUPERUSER_ID
from odoo.addons.mail.models import mail_template

EDITOR_GROUP = "mail_template_security.group_template_editor"
SYSTEM_GROUP = "base.group_system"

# Tokens that render as they read: text and comments.
PLAIN_TOKENS = frozenset(["data", "comment_begin", "comment", "comment_end",
                          "linecomment_begin", "linecomment",
                          "linecomment_end"])
# Every source rendered while set.
ALL = object()
# None, ALL, or a frozenset of the trusted sources.
TRUSTED = contextvars.ContextVar("mail_template_security_trusted",
                                 default=None)
# The server actions run by the server's own machinery (scheduled actions,
# automated actions), whose user is not the one who asked for them.
SERVER_RUN = contextvars.ContextVar("mail_template_security_server_run",
                                    default=False)
# The server actions whose run() checked the caller's right.
RUNNING = contextvars.ContextVar("mail_template_security_running",
                                 default=frozenset())


def is_editor(env):
    """The superuser, the administrators and the template editors."""
    if env.uid == SUPERUSER_ID:
        return True
    user = env.user
    return user.has_group(EDITOR_GROUP) or user.has_group(SYSTEM_GROUP)


def is_administrator(env):
    return env.uid == SUPERUSER_ID or env.user.has_group(SYSTEM_GROUP)


def is_dynamic(source):
    """Whether rendering `source` evaluates anything: any token of the
    template language besides plain text. A source Jinja cannot read is
    taken as dynamic."""
    if not source:
        return False
    if not isinstance(source, str):
        return True
    try:
        for _lineno, kind, _value in mail_template.mako_template_env.lex(
                source):
            if kind not in PLAIN_TOKENS:
                return True
    except TemplateSyntaxError:
        return True
    return False


def is_trusted(source):
    trusted = TRUSTED.get()
    if trusted is ALL:
        return True
    return bool(trusted) and source in trusted


class Flag:
    """``with Flag(var, value):`` sets a context variable for the block."""

    def __init__(self, var, value):
        self.var, self.value, self.token = var, value, None

    def __enter__(self):
        self.token = self.var.set(self.value)
        return self

    def __exit__(self, *exc):
        self.var.reset(self.token)
