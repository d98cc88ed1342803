from . import clearance_certificate_report
from . import ir_actions_report
