from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "arrears.field"
    label = "field"
    verbose_name = _("Field visits and skip tracing")
