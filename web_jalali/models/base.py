import pytz

from odoo import api, models

from ..tools import jalali


class Base(models.AbstractModel):
    """Grouping by date in the Jalali calendar for the users who read it:
    months, seasons and years are Jalali periods (not Gregorian ones
    relabelled), weeks start on Saturday, and every label is Jalali. The
    groups' domains are Gregorian UTC ranges as usual."""
    _inherit = "base"

    @api.model
    def _read_group_process_groupby(self, gb, query):
        annotated = super()._read_group_process_groupby(gb, query)
        if annotated["type"] not in ("date", "datetime") or \
                not self.env["res.users"]._uses_jalali():
            return annotated
        unit = gb.split(":")[1] if ":" in gb else "month"
        local = annotated["qualified_field"]
        # super() wrapped the (time-zone converted) column in date_trunc().
        prefix = "date_trunc('%s', " % unit
        if not (local.startswith(prefix) and local.endswith(")")):
            return annotated
        local = local[len(prefix):-1]
        # the type date_trunc() gives: timestamptz for a date column
        sql_type = "timestamptz" if annotated["type"] == "date" else "timestamp"
        if unit in ("month", "quarter", "year"):
            tz = pytz.timezone(self._context["tz"]) if annotated["tz_convert"] else None
            annotated["qualified_field"] = jalali.sql_period_start(local, unit, sql_type)
            annotated["interval"] = jalali.JalaliInterval(unit, tz)
        elif unit == "week":
            annotated["qualified_field"] = jalali.sql_week_start(local, sql_type)
        annotated["jalali_unit"] = unit
        return annotated

    @api.model
    def _read_group_format_result(self, data, annotated_groupbys, groupby, domain):
        starts = {
            gb["groupby"]: data[gb["groupby"]] for gb in annotated_groupbys
            if gb.get("jalali_unit") and data[gb["groupby"]]}
        result = super()._read_group_format_result(
            data, annotated_groupbys, groupby, domain)
        lang = self._context.get("lang") or "en_US"
        for gb in annotated_groupbys:
            start = starts.get(gb["groupby"])
            if start:
                span, _label = result[gb["groupby"]]
                result[gb["groupby"]] = (
                    span, jalali.group_label(start, gb["jalali_unit"], lang))
        return result
