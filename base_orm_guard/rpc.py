"""The RPC entry of the ORM (odoo.api.call_kw_model and call_kw_multi, the
functions every JSON-RPC call_kw/call_button and XML-RPC execute/execute_kw
ends in): the caller's payload is checked there before any model code runs,
and the caller's `default_*` context keys are scoped to the model the call
names.

Both functions are patched for the whole server process: the patch acts
only in a database where this addon is installed (its models carry
`_orm_guard_installed`), and calls the original code otherwise."""
import threading

from odoo import SUPERUSER_ID, api

_local = threading.local()

# The methods a caller's values are written with: a record they write must
# still be one they may write afterwards (models/base.py, write).
CALLER_WRITE_METHODS = frozenset([
    "write", "create", "copy", "load", "name_create", "toggle_active",
])

# The methods that only propose values (a form's defaults, an onchange):
# they keep the caller's defaults the field-level checks allow, readonly
# fields included (the activity's res_model), since nothing is stored.
PREVIEW_METHODS = frozenset(["default_get", "onchange"])


class Scope(object):
    """One RPC call: the model and method it names, the user, and the
    `default_*` keys of its context that may act on that model."""

    __slots__ = ("model", "method", "uid", "defaults")

    def __init__(self, model, method, uid, defaults):
        self.model = model
        self.method = method
        self.uid = uid
        self.defaults = defaults


def current_scope():
    """The innermost RPC call running in this thread, or None."""
    scopes = getattr(_local, "scopes", None)
    return scopes[-1] if scopes else None


def strip_caller_defaults(scope, context):
    """`context` without the caller's `default_*` keys that still hold the
    caller's values (server code that set its own value keeps it), or None
    when there is nothing to strip."""
    drop = [key for key, value in scope.defaults.items()
            if key in context and context[key] == value]
    if not drop:
        return None
    return {key: value for key, value in context.items() if key not in drop}


def _guarded(original, multi):
    def call(method, self, args, kwargs):
        if not getattr(type(self), "_orm_guard_installed", False) \
                or self.env.uid == SUPERUSER_ID:
            return original(method, self, args, kwargs)
        args = list(args)
        ids = None
        if multi:
            ids, args = args[0], args[1:]
        context, args, kwargs = api.split_context(method, args, kwargs)
        if context is None:
            context = {}
        recs = self.with_context(context) if isinstance(context, dict) \
            else self
        recs._orm_guard_check_call(method, ids, args, kwargs, context)
        context, defaults = recs._orm_guard_scope_context(
            method.__name__, args, context)
        kwargs = dict(kwargs, context=context)
        if multi:
            args = [ids] + list(args)
        scope = Scope(self._name, method.__name__, self.env.uid, defaults)
        scopes = _local.__dict__.setdefault("scopes", [])
        scopes.append(scope)
        try:
            return original(method, self, args, kwargs)
        finally:
            scopes.pop()
    return call


def _guarded_getitem(original):
    def getitem(env, model_name):
        scope = current_scope()
        if scope is not None and scope.defaults and (
                model_name != scope.model or env.uid != scope.uid):
            context = strip_caller_defaults(scope, env.context)
            if context is not None:
                return original(env(context=context), model_name)
        return original(env, model_name)
    return getitem


if not getattr(api, "_orm_guard_patched", False):
    api.call_kw_model = _guarded(api.call_kw_model, multi=False)
    api.call_kw_multi = _guarded(api.call_kw_multi, multi=True)
    api.Environment.__getitem__ = _guarded_getitem(
        api.Environment.__getitem__)
    api._orm_guard_patched = True
