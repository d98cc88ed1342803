from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request


class ClearanceDashboard(http.Controller):

    @http.route("/clearance/dashboard/summary", type="http", auth="user",
                methods=["GET"])
    def dashboard_summary(self, date_from=None, date_to=None, **kw):
        """The offices' ageing figures over a period, as the part of the
        backend's dashboard page that lists them: for clearance managers
        only (403 for anybody else, checked by the report's access rights);
        a period it refuses gets its reason (400)."""
        Report = request.env["clearance.step.report"]
        status = 200
        try:
            html = Report.render_summary(date_from, date_to)
        except AccessError:
            raise Forbidden()
        except UserError as error:
            status = 400
            html = request.env["ir.ui.view"].render_template(
                "clearance_request.dashboard_error", {"message": error.name})
        response = request.make_response(html, headers=[
            ("Content-Type", "text/html; charset=utf-8")])
        response.status_code = status
        return response
