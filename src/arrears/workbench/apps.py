from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "arrears.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from arrears.workbench.middleware import session_limits_start

        user_logged_in.connect(session_limits_start, dispatch_uid="arrears-session-limits")
