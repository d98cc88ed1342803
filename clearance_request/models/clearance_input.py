from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
NAME_OPERATORS = ("=like", "=ilike", "like", "not like", "ilike", "not ilike")
NUMBER_TYPES = ("integer", "float", "monetary")
RELATIONAL_TYPES = ("many2one", "one2many", "many2many")


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and \
        INT_MIN <= value <= INT_MAX


class ClearanceInputMixin(models.AbstractModel):
    """Ids and domain values a client sends are checked before they reach
    the database: PostgreSQL would refuse a word as an id or a date with an
    error nobody can read, after the query has run."""

    _name = "clearance.input.mixin"
    _description = "Checks of the ids and search values clients send"

    @api.model
    def _where_calc(self, domain, active_test=True):
        for leaf in domain or []:
            if expression.is_leaf(leaf) and not expression.is_operator(leaf):
                self._check_leaf(leaf)
        return super()._where_calc(domain, active_test)

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        self._check_ids()
        return super().read(fields=fields, load=load)

    def _check_ids(self):
        bad = [value for value in self._ids
               if not _is_id(value) and not isinstance(value, models.NewId)]
        if bad:
            raise UserError(_("%(value)s is not the id of a record.")
                            % {"value": repr(bad[0])[:40]})

    def _check_leaf(self, leaf):
        path, operator, value = leaf
        if not isinstance(path, str) or operator in ("inselect", "child_of",
                                                     "parent_of"):
            return
        model, field = self, None
        for name in path.split("."):
            field = model._fields.get(name)
            if field is None:
                return  # Odoo's own message for an unknown field
            if field.type in RELATIONAL_TYPES:
                model = self.env[field.comodel_name]
        values = value if isinstance(value, (list, tuple)) else [value]
        if not all(self._value_fits(field, operator, item) for item in values):
            raise UserError(_(
                "%(field)s cannot be compared with %(value)s.") % {
                    "field": field.get_description(self.env)["string"],
                    "value": repr(value)[:40]})

    @staticmethod
    def _value_fits(field, operator, value):
        if value is None or value is False:
            return True
        if field.name == "id" or field.type in RELATIONAL_TYPES:
            return _is_id(value) or (
                isinstance(value, str) and field.name != "id"
                and operator in NAME_OPERATORS + ("=", "!="))
        if field.type == "integer":
            return _is_id(value)
        if field.type in NUMBER_TYPES:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if field.type in ("date", "datetime"):
            if not isinstance(value, str):
                return False
            for parse in (fields.Datetime.from_string, fields.Date.from_string):
                try:
                    parse(value)
                    return True
                except ValueError:
                    continue
            return operator in NAME_OPERATORS
        if field.type in ("char", "text", "html", "selection"):
            return isinstance(value, str) and "\x00" not in value
        return True
