from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "arrears.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from django.core.checks import Tags, register

        from arrears.outreach.checks import dev_channels_check

        register(Tags.security)(dev_channels_check)
