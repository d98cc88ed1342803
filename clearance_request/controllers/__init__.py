from . import portal
from . import certificate
