from . import patches
from . import controllers
from . import models
