from . import test_partner_reports
