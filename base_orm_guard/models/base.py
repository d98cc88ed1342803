import inspect
import math
import re
from datetime import date, datetime

import pytz

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.addons.base.res import res_users
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from .. import rpc

# How far a dotted path (and the related fields it goes through) is followed.
MAX_PATH_STEPS = 32
# The conditions of one domain. Each condition joined by '|' or '&' nests the
# SQL one level deeper: PostgreSQL's parser refuses some thousands of levels
# (max_stack_depth) with an error showing the SQL, and no form or search
# view builds more than a few dozen. 1,000 leaves a wide margin to both.
MAX_DOMAIN_LEAVES = 1000
# How deep lists and dicts nest in one call's arguments: x2many commands
# nest three levels per level of one2many; 64 is far beyond any form.
MAX_PAYLOAD_DEPTH = 64
MAX_INT = 2 ** 31 - 1
DOMAIN_OPERATORS = ("&", "|", "!")
# Operators only server code may use: their right side is raw SQL.
INTERNAL_OPERATORS = ("inselect", "not inselect")
COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=", "in", "not in",
               "=?")
LANG_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?(@[a-z]+)?$")
# Context keys whose type Odoo relies on.
CONTEXT_IDS = ("active_id", "force_company")


def private_user_fields():
    """The fields of res.users that Odoo treats as secrets (USER_PRIVATE_FIELDS
    is extended by auth_crypt, auth_oauth, ...)."""
    return set(res_users.USER_PRIVATE_FIELDS) | {"password", "password_crypt"}


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


class Base(models.AbstractModel):
    """Every model: fields restricted by `groups=` (and res.users' password
    fields) stay out of the searches, sorts, groupings and exports of users
    outside those groups; the record rules hold after a caller's write; the
    RPC payload is checked before any SQL (rpc.py calls
    `_orm_guard_check_call`)."""

    _inherit = "base"

    # rpc.py's patch acts where this attribute is found on the models
    _orm_guard_installed = True

    # ------------------------------------------------------------------
    # restricted fields: search, order, read_group, export
    # ------------------------------------------------------------------
    @api.model
    def _orm_guard_field_allowed(self, field):
        """Whether the current user may search, sort or group by `field`
        (a field of this model)."""
        if field.groups and not self.user_has_groups(field.groups):
            return False
        if field.model_name == "res.users" \
                and field.name in private_user_fields():
            return False
        return True

    @api.model
    def _orm_guard_check_path(self, path):
        """Follow the dotted field path from this model, through relational
        and related (also inherited) fields; raise AccessError on a field
        the user may not use. Return the last field reached (None when a
        name is unknown: the expression then refuses it itself)."""
        model = self
        names = path.split(".")
        steps = 0
        field = None
        while names:
            steps += 1
            if steps > MAX_PATH_STEPS:
                raise UserError(_(
                    "The field path %(path)s is too long.") % {"path": path})
            name = names.pop(0)
            field = model._fields.get(name)
            if field is None:
                return None
            if not model._orm_guard_field_allowed(field):
                raise AccessError(_(
                    "You may not search, sort, group or export by the field "
                    "%(field)s of %(model)s.") % {
                        "field": field.string, "model": model._description})
            if field.related:
                names = list(field.related) + names
                continue
            if not names:
                break
            if not field.relational:
                return None
            model = model.env[field.comodel_name]
        return field

    @api.model
    def _where_calc(self, domain, active_test=True):
        if domain and self._uid != SUPERUSER_ID:
            self._orm_guard_check_domain(domain)
        return super()._where_calc(domain, active_test=active_test)

    @api.model
    def _orm_guard_check_domain(self, domain, internal=True):
        """A domain's shape, size, fields and values, before any SQL."""
        if not isinstance(domain, (list, tuple)):
            raise UserError(_("A search domain must be a list of conditions."))
        if len(domain) > 2 * MAX_DOMAIN_LEAVES:
            raise UserError(_(
                "This search has too many conditions (at most %(max)s).")
                % {"max": MAX_DOMAIN_LEAVES})
        for item in domain:
            if isinstance(item, str):
                if item not in DOMAIN_OPERATORS:
                    raise UserError(_(
                        "%(operator)r is not a domain operator.")
                        % {"operator": item})
                continue
            self._orm_guard_check_leaf(item, internal)

    @api.model
    def _orm_guard_check_leaf(self, leaf, internal):
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
            raise UserError(_(
                "A search condition must be a (field, operator, value) "
                "triple."))
        left, operator, right = leaf
        if tuple(leaf) in (expression.TRUE_LEAF, expression.FALSE_LEAF):
            return
        if not isinstance(left, str) or not isinstance(operator, str):
            raise UserError(_(
                "A search condition must name a field and an operator."))
        operator = operator.lower()
        if operator not in expression.TERM_OPERATORS or (
                not internal and operator in INTERNAL_OPERATORS):
            raise UserError(_("%(operator)r is not a search operator.")
                            % {"operator": leaf[1]})
        field = self._orm_guard_check_path(left)
        if operator in INTERNAL_OPERATORS:
            return
        values = right if isinstance(right, (list, tuple)) else [right]
        for value in values:
            # server code may compare with dates or ids of its own: only
            # what no column holds (nested lists and dicts, NUL) is refused
            if isinstance(value, (dict, list, tuple, set)) or (
                    isinstance(value, str) and "\x00" in value):
                raise UserError(_(
                    "The value searched in %(field)s is not valid.")
                    % {"field": left})
        if field is not None and operator in COMPARISONS:
            for value in values:
                if isinstance(value, str) and value:
                    self._orm_guard_check_scalar(field, value, left)

    @api.model
    def _orm_guard_check_scalar(self, field, value, label):
        """A string compared to a date, datetime or number field must be one."""
        try:
            if field.type == "date":
                fields.Date.from_string(value)
            elif field.type == "datetime":
                fields.Datetime.from_string(value)
            elif field.type in ("integer", "many2one") and field.name == "id":
                int(value)
            elif field.type in ("integer",):
                int(value)
            elif field.type in ("float", "monetary"):
                float(value)
            else:
                return
        except (ValueError, TypeError, OverflowError):
            raise UserError(_(
                "%(value)r is not a valid value for %(field)s.")
                % {"value": value[:40], "field": label})

    @api.model
    def _generate_order_by(self, order_spec, query):
        if order_spec and self._uid != SUPERUSER_ID:
            self._orm_guard_check_order(order_spec)
        return super()._generate_order_by(order_spec, query)

    @api.model
    def _orm_guard_check_order(self, order_spec):
        if not isinstance(order_spec, str) or "\x00" in order_spec:
            raise UserError(_("The sort order is not valid."))
        for part in order_spec.split(","):
            words = part.split()
            if words:
                self._orm_guard_check_path(words[0].strip('"'))

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None,
                   orderby=False, lazy=True):
        if self._uid != SUPERUSER_ID:
            names = list(fields or [])
            names += [groupby] if isinstance(groupby, str) else list(
                groupby or [])
            for name in names:
                if not isinstance(name, str):
                    raise UserError(_("A grouping must name a field."))
                self._orm_guard_check_path(name.split(":")[0].strip())
            if orderby:
                self._orm_guard_check_order(orderby)
        return super().read_group(
            domain, fields, groupby, offset=offset, limit=limit,
            orderby=orderby, lazy=lazy)

    @api.multi
    def export_data(self, fields_to_export, raw_data=False):
        if self._uid != SUPERUSER_ID:
            for path in fields_to_export or []:
                if not isinstance(path, str):
                    raise UserError(_("An exported column must name a field."))
                names = [name for name in path.split("/")
                         if name not in ("id", ".id")]
                if names:
                    self._orm_guard_check_path(".".join(names))
        return super().export_data(fields_to_export, raw_data=raw_data)

    # ------------------------------------------------------------------
    # context defaults (rpc.py scopes them to the model called)
    # ------------------------------------------------------------------
    @api.model
    def _orm_guard_default_allowed(self, name, preview):
        """Whether a caller's `default_<name>` may reach this model."""
        field = self._fields.get(name)
        if field is None or name in models.MAGIC_COLUMNS \
                or name == self.CONCURRENCY_CHECK_FIELD:
            return False
        if name in getattr(self, "_protected_fields", ()):
            return False
        if field.groups and not self.user_has_groups(field.groups):
            return False
        if not field.store and not field.inverse and not field.inherited:
            return False
        if field.inherited:
            parent = self.env[field.related_field.model_name]
            if not parent._orm_guard_default_allowed(name, preview):
                return False
        if preview:
            return True
        editable = not field.readonly or any(
            ("readonly", False) in modifiers
            for modifiers in (field.states or {}).values())
        return editable

    @api.model
    def _orm_guard_scope_context(self, method, args, context):
        """The context the called method runs with, and the caller's
        `default_*` keys kept in it. `create` also gets the kept defaults in
        its values, so that the model's own create guard checks them as
        values passed; other methods keep only the defaults of fields the
        caller could edit in a form."""
        if not isinstance(context, dict):
            return context, {}
        kept, defaults = {}, {}
        preview = method in rpc.PREVIEW_METHODS or method == "create"
        for key, value in context.items():
            if not key.startswith("default_"):
                kept[key] = value
            elif self._orm_guard_default_allowed(key[8:], preview):
                kept[key] = value
                defaults[key] = value
        if method == "create" and args and isinstance(args[0], dict):
            for key, value in defaults.items():
                args[0].setdefault(key[8:], value)
        return kept, defaults

    @api.model
    def default_get(self, fields_list):
        scope = rpc.current_scope()
        if scope is not None and scope.defaults and (
                self._name != scope.model or self._uid != scope.uid):
            context = rpc.strip_caller_defaults(scope, self._context)
            if context is not None:
                return super(Base, self.with_context(context)).default_get(
                    fields_list)
        return super().default_get(fields_list)

    # ------------------------------------------------------------------
    # record rules after a caller's write
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        if self._uid != SUPERUSER_ID and rpc.current_scope() is not None:
            self._orm_guard_check_selections(vals)
        return super().create(vals)

    @api.model
    def _orm_guard_check_selections(self, vals):
        """A selection's value must be one of its keys (Odoo 11 raises a
        bare ValueError). Checked below the models' own create and write,
        which may refuse it in their words first."""
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None or field.type != "selection" or not value:
                continue
            if value not in [key for key, _label in
                             field._description_selection(self.env)]:
                raise UserError(_(
                    "The value given for %(field)s (%(model)s) is not "
                    "valid.") % {"field": field.string,
                                 "model": self._description})

    @api.multi
    def write(self, vals):
        if self._uid != SUPERUSER_ID and rpc.current_scope() is not None:
            self._orm_guard_check_selections(vals)
        result = super().write(vals)
        scope = rpc.current_scope()
        if scope is not None and scope.method in rpc.CALLER_WRITE_METHODS \
                and self._uid != SUPERUSER_ID and self._uid == scope.uid:
            self._orm_guard_check_rules_after_write()
        return result

    @api.multi
    def _orm_guard_check_rules_after_write(self):
        """The records written must still be ones the user may write: Odoo
        checks the rules before the write only. Models whose access lives in
        check_access_rule (mail.message) are checked by it; the others only
        when a write rule applies to the user (the rule lookup is cached)."""
        if type(self).check_access_rule is models.BaseModel.check_access_rule \
                and not self.env["ir.rule"]._compute_domain(self._name, "write"):
            return
        records = self.exists()
        if not records:
            return
        try:
            records.check_access_rule("write")
        except AccessError:
            raise AccessError(_(
                "This change would put %(model)s records out of what you "
                "may change: it is refused.") % {"model": self._description})

    # ------------------------------------------------------------------
    # the RPC payload (called by rpc.py before the method runs)
    # ------------------------------------------------------------------
    @api.model
    def _orm_guard_check_call(self, method, ids, args, kwargs, context):
        checker = self._orm_guard_checker(context)
        checker._orm_guard_check_nesting([ids, args, kwargs, context])
        checker._orm_guard_check_context(context)
        if ids is not None:
            id_list = ids if isinstance(ids, (list, tuple)) else [ids]
            if not all(is_int(i) and 0 <= i <= MAX_INT for i in id_list):
                raise UserError(_("Records are named by their ids."))
        try:
            bound = inspect.signature(method).bind(self, *args, **kwargs)
        except TypeError:
            raise UserError(_(
                "The arguments of %(method)s are not valid.")
                % {"method": method.__name__})
        for name, value in bound.arguments.items():
            checker._orm_guard_check_argument(method.__name__, name, value)

    @api.model
    def _orm_guard_checker(self, context):
        """This model in the user's language when the caller's is not
        valid: the errors about it are translated all the same."""
        lang = context.get("lang") if isinstance(context, dict) else None
        if not (isinstance(lang, str) and LANG_RE.match(lang)):
            lang = self.env.user.lang
        return self.with_context(lang=lang, tz=self.env.user.tz)

    @api.model
    def _orm_guard_check_nesting(self, payload):
        """No NUL character, no SQL operator, no endless nesting, anywhere."""
        stack = [(payload, 0)]
        while stack:
            value, depth = stack.pop()
            if depth > MAX_PAYLOAD_DEPTH:
                raise UserError(_("The request nests values too deeply."))
            if isinstance(value, str):
                if "\x00" in value:
                    raise UserError(_(
                        "The request holds a character that is not allowed "
                        "(NUL): no text may contain it."))
            elif isinstance(value, dict):
                stack.extend((key, depth + 1) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            elif isinstance(value, (list, tuple)):
                if len(value) == 3 and isinstance(value[1], str) \
                        and value[1].lower() in INTERNAL_OPERATORS:
                    raise UserError(_("%(operator)r is not a search operator.")
                                    % {"operator": value[1]})
                stack.extend((item, depth + 1) for item in value)

    @api.model
    def _orm_guard_check_context(self, caller_context):
        # (not named `context`: Odoo's _() would take the caller's language
        # from a local of that name, which may be the bad value refused here)
        if not isinstance(caller_context, dict):
            raise UserError(_("The context must be a dictionary."))
        lang = caller_context.get("lang")
        if lang and not (isinstance(lang, str) and lang in dict(
                self.env["res.lang"].get_installed())):
            raise UserError(_("%(lang)r is not an installed language.")
                            % {"lang": str(lang)[:40]})
        tz = caller_context.get("tz")
        if tz and not (isinstance(tz, str) and tz in pytz.all_timezones_set):
            raise UserError(_("%(tz)r is not a time zone.")
                            % {"tz": str(tz)[:40]})
        for key in CONTEXT_IDS:
            value = caller_context.get(key)
            if value and not is_int(value):
                raise UserError(_("The context's %(key)s must be an id.")
                                % {"key": key})
        active_ids = caller_context.get("active_ids")
        if active_ids and not (isinstance(active_ids, (list, tuple)) and all(
                is_int(i) for i in active_ids)):
            raise UserError(_("The context's active_ids must be ids."))
        active_model = caller_context.get("active_model")
        if active_model and not isinstance(active_model, str):
            raise UserError(_("The context's active_model must be a model."))

    @api.model
    def _orm_guard_check_argument(self, method, name, value):
        """The arguments the ORM's own methods take, by their names."""
        if name == "self" or value is None or value is False:
            return
        if name in ("vals", "values") and method in ("create", "write"):
            self._orm_guard_check_values(value)
        elif name in ("fields", "fields_list", "allfields", "fields_to_export",
                      "groupby"):
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, (list, tuple)) or not all(
                    isinstance(item, str) for item in names):
                raise UserError(_("%(argument)s must list field names.")
                                % {"argument": name})
        elif name == "domain" or (name == "args" and method in (
                "search", "search_count", "name_search", "_search")):
            self._orm_guard_check_domain(value, internal=False)
        elif name in ("order", "orderby"):
            if not isinstance(value, str):
                raise UserError(_("The sort order is not valid."))
        elif name in ("limit", "offset"):
            if not is_int(value) or value < 0:
                raise UserError(_("%(argument)s must be a whole number.")
                                % {"argument": name})

    @api.model
    def _orm_guard_check_values(self, vals):
        """The values of a create or write, field by field, x2many commands
        included, checked against the field's type."""
        if not isinstance(vals, dict):
            raise UserError(_("The values to save must be a dictionary."))
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is not None:
                self._orm_guard_check_value(field, value)

    @api.model
    def _orm_guard_check_value(self, field, value):
        if value is None or value is False:
            return
        kind = field.type
        valid = True
        if kind in ("char", "text", "html"):
            if not isinstance(value, str):
                raise UserError(_(
                    "Expected a text for %(field)s (%(model)s), got "
                    "%(type)s.") % {"field": field.string,
                                    "model": self._description,
                                    "type": type(value).__name__})
        elif kind == "selection":
            # the value's type here; whether it is listed once the model's
            # own checks ran (_orm_guard_check_selections)
            valid = isinstance(value, (str, int))
        elif kind == "boolean":
            valid = isinstance(value, (bool, int))
        elif kind == "integer":
            valid = isinstance(value, (int, float)) and abs(value) <= MAX_INT
        elif kind in ("float", "monetary"):
            valid = isinstance(value, (int, float)) and math.isfinite(value)
        elif kind == "date":
            valid = self._orm_guard_valid_date(value, fields.Date, date)
        elif kind == "datetime":
            valid = self._orm_guard_valid_date(value, fields.Datetime, datetime)
        elif kind == "many2one":
            valid = is_int(value) and 0 < value <= MAX_INT
        elif kind == "reference":
            valid = isinstance(value, str) and "," in value
        elif kind == "binary":
            valid = isinstance(value, (str, bytes))
        elif kind in ("one2many", "many2many"):
            self._orm_guard_check_commands(field, value)
        if not valid:
            raise UserError(_(
                "The value given for %(field)s (%(model)s) is not valid.")
                % {"field": field.string, "model": self._description})

    @api.model
    def _orm_guard_valid_date(self, value, field_class, value_class):
        if isinstance(value, value_class):
            return True
        if not isinstance(value, str):
            return False
        try:
            field_class.from_string(value)
        except (ValueError, TypeError, OverflowError):
            return False
        return True

    @api.model
    def _orm_guard_check_commands(self, field, commands):
        comodel = self.env[field.comodel_name]
        invalid = UserError(_(
            "The lines given for %(field)s (%(model)s) are not valid.")
            % {"field": field.string, "model": self._description})
        if not isinstance(commands, (list, tuple)):
            raise invalid
        for command in commands:
            if is_int(command):
                continue
            if not isinstance(command, (list, tuple)) or not command \
                    or not is_int(command[0]) or not 0 <= command[0] <= 6:
                raise invalid
            code = command[0]
            if code in (0, 1):
                if len(command) != 3:
                    raise invalid
                comodel._orm_guard_check_values(command[2])
            elif code in (2, 3, 4):
                if len(command) < 2 or not is_int(command[1]):
                    raise invalid
            elif code == 6:
                if len(command) != 3 or not isinstance(
                        command[2], (list, tuple)) or not all(
                            is_int(i) for i in command[2]):
                    raise invalid
