from . import clearance_office_staff
