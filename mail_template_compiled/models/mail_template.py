"""Odoo 11 compiles the Jinja source of each field of a mail template again
every time it renders one (``mail.template.render_template`` calls its
environment's ``from_string``): subject, body, recipients... about a
millisecond a field, nine or ten fields a mail. The compiled template depends
on its source and its environment only, so it is kept and used again; a
template an administrator changes has a new source, compiled once in turn.

The two environments of ``mail.template`` (the escaping one and the "safe"
one) keep their compiled templates apart. Jinja's compiled templates are
rendered concurrently by Odoo's threads without harm: a rendering keeps its
state in its own context."""
import functools

from odoo.addons.mail.models import mail_template

# Compiled sources kept per environment: every template field of a database
# of a few dozen templates, and of a few databases on one server.
CACHE_SIZE = 512
# Longer sources are compiled at each rendering, as without this addon:
# render_template is callable over RPC by any user, whose texts must not
# fill the server's memory (the kept sources stay under 4 MiB). A template
# field is rarely over 1 KiB.
MAX_SOURCE = 8 * 1024


def compiled_once(environment):
    """`environment`'s from_string, keeping the templates it compiles."""
    from_string = environment.from_string

    @functools.lru_cache(maxsize=CACHE_SIZE)
    def compile_source(source):
        return from_string(source)

    def cached_from_string(source, globals=None, template_class=None):
        if globals is not None or template_class is not None or \
                not isinstance(source, str) or len(source) > MAX_SOURCE:
            return from_string(source, globals, template_class)
        return compile_source(source)

    cached_from_string.cache_info = compile_source.cache_info
    cached_from_string.cache_clear = compile_source.cache_clear
    return cached_from_string


for _environment in (mail_template.mako_template_env,
                     mail_template.mako_safe_template_env):
    if not hasattr(_environment.from_string, "cache_info"):
        _environment.from_string = compiled_once(_environment)
