from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "arrears.cycle"
    label = "cycle"
    verbose_name = _("Daily cycle")
