from . import clearance_office_staff
from . import clearance_bulk_action
