from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuaranteeConfig(AppConfig):
    name = "arrears.guarantee"
    label = "guarantee"
    verbose_name = _("Guarantee pay-out and recourse")
