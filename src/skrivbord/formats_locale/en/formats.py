# The English UI keeps Swedish formats: the users are Swedish businesses (ISO dates, 1 234,50).
from skrivbord.formats_locale.sv.formats import *  # noqa: F403
