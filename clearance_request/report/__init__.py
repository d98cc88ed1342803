from . import clearance_certificate_report
from . import ir_actions_report
from . import clearance_step_report
