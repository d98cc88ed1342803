from . import sandbox
from . import models
