from . import res_company_ldap
from . import clearance_ldap_office
