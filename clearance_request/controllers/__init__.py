from . import portal
from . import certificate
from . import buttons
