from . import res_partner
from . import clearance_stage
from . import clearance_request
from . import clearance_request_line
from . import res_lang
from . import res_groups
from . import clearance_certificate
