from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles_teams_and_audit_log"),
    ]

    # The audit log moves to core (every app writes it); its tables stay as they are.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="auditentry",
                    name="actor",
                ),
                migrations.DeleteModel(
                    name="AuditHead",
                ),
                migrations.DeleteModel(
                    name="AuditEntry",
                ),
            ],
            database_operations=[],
        ),
    ]
