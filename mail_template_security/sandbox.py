"""A stricter sandbox for the Jinja of mail templates.

Odoo 11.0 renders mail templates in a Jinja ``SandboxedEnvironment`` that
only refuses attributes starting with an underscore: ``object.sudo()``,
``object.env['res.users']``, ``user.write(...)``, ``object.unlink()`` and
``datetime.sys.modules`` all pass, and a template rendered by the automated
actions runs as the superuser.

The two environments of ``odoo.addons.mail.models.mail_template``
(``mako_template_env`` and ``mako_safe_template_env``) are given this
module's class, so that every template compiled from them, also those that
``mail_template_compiled`` keeps in its cache, is checked at each rendering
(Jinja's sandbox checks attributes and calls when the template runs, not when
it is compiled).

On a record, a template reads its fields but the secrets of
``SECRET_FIELD``, ``ids``, and calls only the
methods of ``SAFE_METHODS`` or those its model lists in
``_mail_template_methods``; ``with_context`` only with the keys of
``SAFE_CONTEXT_KEYS``. Environments, registries, cursors and modules are
not reachable at all. Deny by default: any other attribute of a record is
refused, whoever renders.

The class is shared by every database of the server process: it is strict
while ``mail.template.render_template`` of a database where this addon is
installed renders (``STRICT``), and on the records of such a database; it
behaves as Odoo's elsewhere.
"""
import contextvars
import re
import types

from jinja2.sandbox import SandboxedEnvironment, SecurityError

from odoo import api, models, sql_db
from odoo.addons.mail.models import mail_template
from odoo.modules.registry import Registry

ADDON = "mail_template_security"

# True while a database where this addon is installed renders a template.
STRICT = contextvars.ContextVar("mail_template_security_strict",
                                default=False)

# The methods of a record a template may call: they read, and change
# neither the user, nor the data, nor the environment.
SAFE_METHODS = frozenset([
    "mapped", "filtered", "sorted", "exists", "ensure_one", "name_get",
    "with_context", "get_access_action", "get_mail_url", "get_portal_url",
])
# The context keys a template may set with ``with_context``: presentation
# only (language, time zone, website links).
SAFE_CONTEXT_KEYS = frozenset(["lang", "tz", "force_website", "use_babel"])

# Secrets no template prints, whoever renders it (an automated action
# renders as the superuser): passwords and their hashes, signup and OAuth
# tokens, keys.
SECRET_FIELD = re.compile(
    r"password|secret|signup_token|oauth_access_token|api_?key|private_key")

# Objects no template may reach, look into or call a method of; nor a
# module (a builtin function such as len is bound to the builtins module,
# which a template cannot reach).
FORBIDDEN_OBJECTS = (api.Environment, Registry, sql_db.Cursor,
                     sql_db.TestCursor)
FORBIDDEN_TYPES = FORBIDDEN_OBJECTS + (types.ModuleType,)

_declared_methods = {}


def installed(registry):
    return ADDON in getattr(registry, "_init_modules", ())


def strict_for(obj):
    """Whether the strict rules apply to `obj`."""
    if STRICT.get():
        return True
    if isinstance(obj, models.BaseModel):
        return installed(obj.env.registry)
    if isinstance(obj, api.Environment):
        return installed(obj.registry)
    if isinstance(obj, Registry):
        return installed(obj)
    return False


def template_methods(record):
    """The methods of `record`'s model that a template may call."""
    cls = type(record)
    methods = _declared_methods.get(cls)
    if methods is None:
        declared = set(SAFE_METHODS)
        for klass in cls.__mro__:
            declared.update(vars(klass).get("_mail_template_methods", ()))
        methods = _declared_methods[cls] = frozenset(declared)
    return methods


def safe_attribute(obj, attr, value):
    if isinstance(obj, FORBIDDEN_OBJECTS) or \
            isinstance(value, FORBIDDEN_TYPES):
        return False
    if isinstance(obj, models.BaseModel):
        if SECRET_FIELD.search(attr):
            return False
        return attr in obj._fields or attr == "ids" or \
            attr in template_methods(obj)
    return True


class StrictSandboxedEnvironment(SandboxedEnvironment):
    """Odoo's template environments, with the rules above where this addon
    is installed."""

    def is_safe_attribute(self, obj, attr, value):
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if not strict_for(obj):
            return True
        return safe_attribute(obj, attr, value)

    def getitem(self, obj, argument):
        """``record['field']`` reads a field as ``record.field`` does: the
        same rules (Jinja checks only the attributes it falls back on)."""
        if isinstance(obj, models.BaseModel) and \
                isinstance(argument, str) and strict_for(obj) and \
                not safe_attribute(obj, argument, None):
            return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj, attribute):
        """Jinja gives an undefined value for a refused attribute, which
        prints as nothing: refused loudly here."""
        if strict_for(obj):
            raise SecurityError("access to attribute %r of %r object is "
                                "unsafe." % (attribute, type(obj).__name__))
        return super().unsafe_undefined(obj, attribute)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805
        record = getattr(__obj, "__self__", None)
        if isinstance(record, models.BaseModel) and strict_for(record):
            name = getattr(__obj, "__name__", None)
            if name not in template_methods(record):
                raise SecurityError("%r is not safely callable" % (__obj,))
            if name in ("mapped", "filtered") and args and \
                    isinstance(args[0], str) and \
                    SECRET_FIELD.search(args[0]):
                raise SecurityError("%s(%r) is not allowed in a template"
                                    % (name, args[0]))
            if name == "with_context" and (
                    args or not set(kwargs) <= SAFE_CONTEXT_KEYS):
                raise SecurityError(
                    "with_context may only set %s in a template"
                    % ", ".join(sorted(SAFE_CONTEXT_KEYS)))
        elif isinstance(record, FORBIDDEN_OBJECTS) and (
                STRICT.get() or strict_for(record)):
            raise SecurityError("%r is not safely callable" % (__obj,))
        return super().call(__context, __obj, *args, **kwargs)


def install():
    """Give Odoo's two template environments the strict class. They stay
    the same objects: mail_template_compiled's cache and the templates it
    keeps use them."""
    for environment in (mail_template.mako_template_env,
                        mail_template.mako_safe_template_env):
        if type(environment) is SandboxedEnvironment:
            environment.__class__ = StrictSandboxedEnvironment


install()
