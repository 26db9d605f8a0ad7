from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kinmap.audit"
    label = "audit"
    verbose_name = "Audit trail"
