from . import portal
from . import certificate
from . import dashboard
from . import buttons
