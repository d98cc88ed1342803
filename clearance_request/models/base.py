from odoo import SUPERUSER_ID, _, api, models
from odoo.addons.base.res import res_users
from odoo.exceptions import AccessError

# How far a dotted path (and the related fields it goes through) is followed.
MAX_PATH_STEPS = 32


def private_user_fields():
    """The fields of res.users that Odoo treats as secrets (USER_PRIVATE_FIELDS
    is extended by auth_crypt, auth_oauth, ...)."""
    return set(res_users.USER_PRIVATE_FIELDS) | {"password", "password_crypt"}


class Base(models.AbstractModel):
    """Odoo 11 hole, closed for this deployment: res.users refuses a search
    on its password fields only when the domain names them directly
    (res.users._search). A path through an auto-joined relation, such as
    res.partner's ('user_ids.password_crypt', '=like', '$pbkdf2%'), the same
    path from any other model (clearance.request's
    'partner_id.user_ids.password_crypt'), and read_group on res.users skip
    that guard, and let any user test a password hash character by character.
    Every domain a search, count, read_group or name_search compiles goes
    through _where_calc: the paths are checked there, for every model."""

    _inherit = "base"

    @api.model
    def _where_calc(self, domain, active_test=True):
        if domain and self._uid != SUPERUSER_ID:
            for leaf in domain:
                if (isinstance(leaf, (list, tuple)) and len(leaf) == 3
                        and isinstance(leaf[0], str)
                        and self._path_reaches_private_field(leaf[0])):
                    raise AccessError(_(
                        "Searching on passwords is not allowed."))
        return super()._where_calc(domain, active_test=active_test)

    @api.model
    def _generate_order_by(self, order_spec, query):
        # Sorting users by their password hash is an oracle too.
        if order_spec and self._uid != SUPERUSER_ID and self._is_user_model():
            names = {part.strip().split(" ")[0]
                     for part in order_spec.split(",")}
            if names & private_user_fields():
                raise AccessError(_("Sorting on passwords is not allowed."))
        return super()._generate_order_by(order_spec, query)

    @api.model
    def _is_user_model(self):
        return self._name == "res.users" or "res.users" in self._inherits

    @api.model
    def _path_reaches_private_field(self, path):
        """Whether the dotted field path, followed from this model through
        relational and related (also inherited) fields, names a password
        field of res.users."""
        private = private_user_fields()
        model = self
        names = path.split(".")
        steps = 0
        while names and steps < MAX_PATH_STEPS:
            steps += 1
            name = names.pop(0)
            if name in private and model._is_user_model():
                return True
            field = model._fields.get(name)
            if field is None:
                return False  # the expression refuses an unknown field itself
            if field.related:
                names = list(field.related) + names
                continue
            if not field.relational:
                return False
            model = model.env[field.comodel_name]
        return bool(names)
