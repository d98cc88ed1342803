from odoo import models
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval

from .clearance_request import STEP_KEY, in_transition

# What a Before / After condition of a clearance step may compare without a
# search: the request's own stored plain fields, with these operators.
PLAIN_TYPES = ("selection", "char", "boolean", "integer")
OPERATORS = {
    "=": lambda value, wanted: value == wanted,
    "!=": lambda value, wanted: value != wanted,
    "in": lambda value, wanted: value in wanted,
    "not in": lambda value, wanted: value not in wanted,
}


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    def _process(self, records):
        """The automated actions of a clearance step mail the student and
        the offices on the university's behalf, in the step's transaction.

        The user who acted may be a student or an officer of another office,
        who may read neither the mail templates nor the offices' members; the
        workflow action checked their right to act before the step was
        written, and only a workflow action can record a step."""
        if records._name == "clearance.request" and in_transition(records):
            # sudo: see above; the context (step, token) is kept.
            return super(BaseAutomation, self.sudo())._process(records.sudo())
        return super()._process(records)

    def _filter_pre(self, records):
        kept = self._filter_step(records, self.filter_pre_domain)
        return super()._filter_pre(records) if kept is None else kept

    def _filter_post(self, records):
        kept = self._filter_step(records, self.filter_domain)
        return super()._filter_post(records) if kept is None else kept

    def _filter_step(self, records, domain):
        """The requests of a clearance step that meet a Before / After
        condition, read from the requests themselves when the condition only
        compares their own stored plain fields (the status, ...) or the step
        being recorded with values. The step locked the requests and holds
        their values; Odoo's filter runs one search per action and condition
        of every write. None: the condition is not that simple, and Odoo's
        search decides."""
        if not (domain and records and records._name == "clearance.request"
                and in_transition(records)):
            return None
        step = records.env.context.get(STEP_KEY)
        tests = []
        for leaf in expression.normalize_domain(
                safe_eval(domain, self._get_eval_context())):
            if leaf == "&":
                continue
            if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
                return None  # "|", "!" or a leaf of another form
            name, operator, wanted = leaf
            field = records._fields.get(name)
            if field is None or operator not in OPERATORS or \
                    field.type not in PLAIN_TYPES:
                return None
            if operator in ("in", "not in") and \
                    not isinstance(wanted, (list, tuple)):
                return None
            if name == "workflow_step":
                # as its search does: the step this update records
                tests.append((lambda _request, value=step: value,
                              OPERATORS[operator], wanted))
            elif field.store:
                tests.append((lambda request, name=name: request[name],
                              OPERATORS[operator], wanted))
            else:
                return None
        return records.filtered(lambda request: all(
            test(value(request), wanted) for value, test, wanted in tests))
