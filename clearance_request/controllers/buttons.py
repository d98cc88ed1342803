from odoo import http

from odoo.addons.web.controllers.main import DataSet, clean_action


class ClearanceDataSet(DataSet):
    """One method per action for buttons and RPC.

    Odoo 11's web client calls a button's method with the button's context
    as the last positional argument (at index `context_id`), where an
    optional argument of the method would take it: `hold_for_visit` would
    get the context as its instructions. For the clearance request, whose
    actions take optional arguments from RPC callers, the button's context
    is passed by name, as later Odoo versions pass it."""

    @http.route()
    def call_button(self, model, method, args, domain_id=None,
                    context_id=None):
        if model == "clearance.request" and isinstance(context_id, int) \
                and 0 < context_id == len(args) - 1 \
                and isinstance(args[context_id], dict):
            args = list(args)
            context = args.pop(context_id)
            action = self._call_kw(model, method, args, {"context": context})
            if isinstance(action, dict) and action.get("type") != "":
                return clean_action(action)
            return False
        return super().call_button(
            model, method, args, domain_id=domain_id, context_id=context_id)
