import logging

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

#: Class attribute of a model listing the methods portal users may call on
#: it over RPC (a set of method names).
PORTAL_ATTRIBUTE = "_portal_rpc_methods"
#: The same for anonymous visitors (the public user); portal users may call
#: these too.
PUBLIC_ATTRIBUTE = "_public_rpc_methods"


def declared_methods(model_class, attribute):
    """The union of `attribute` over the classes `model_class` is built
    from: each addon declares its own entries on its own class, without
    repeating (or depending on) those of the others."""
    names = set()
    for cls in model_class.__mro__:
        names.update(cls.__dict__.get(attribute) or ())
    return frozenset(names)


class RpcAllowlist(models.AbstractModel):
    """The policy: internal users (and the superuser) call what Odoo lets
    them call; anybody else (portal users, the public user, users with no
    group) calls only the methods the models declare for them."""

    _name = "rpc.allowlist"
    _description = "RPC Allowlist of Portal and Public Users"

    @api.model
    def _rpc_restricted(self):
        """Whether the environment's user goes through the allowlist."""
        if self.env.uid == SUPERUSER_ID:
            return False
        return not self.env.user.has_group("base.group_user")

    @api.model
    def _rpc_allowed_methods(self, model_name):
        """The methods the environment's (restricted) user may call on
        `model_name`."""
        if not isinstance(model_name, str) \
                or model_name not in self.env.registry:
            return frozenset()
        model_class = type(self.env[model_name])
        allowed = declared_methods(model_class, PUBLIC_ATTRIBUTE)
        if not self.env.user.has_group("base.group_public"):
            allowed |= declared_methods(model_class, PORTAL_ATTRIBUTE)
        return allowed

    @api.model
    def _rpc_allowed(self, model_name, method):
        if not self._rpc_restricted():
            return True
        return isinstance(method, str) \
            and method in self._rpc_allowed_methods(model_name)

    @api.model
    def _rpc_refusal(self, model_name, method):
        """The AccessError a refused call raises, in the user's language."""
        lang = self.env.context.get("lang") or self.env.user.lang
        self = self.with_context(lang=lang)  # read by _() below
        _logger.info("RPC refused to user %s: %r.%r",
                     self.env.uid, model_name, method)
        return AccessError(_(
            "Portal users and visitors may not call %(method)s on "
            "%(model)s.") % {"method": str(method)[:100],
                             "model": str(model_name)[:100]})

    @api.model
    def _rpc_check(self, model_name, method):
        """Raise an AccessError unless the environment's user may call
        `method` of `model_name` over RPC."""
        if not self._rpc_allowed(model_name, method):
            raise self._rpc_refusal(model_name, method)
