from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "arrears.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from arrears.core.prepared import prepare_statements

        connection_created.connect(prepare_statements, dispatch_uid="arrears.core.prepared")
