from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Editors": {
        "articles": {
            "article": "add change delete view",
            "section": "add change delete view",
            "tag": "add change delete view",
        },
    },
    "Moderators": {
        "comments": {
            "comment": "view change",
            "moderationevent": "view",
            "blockedterm": "add change delete view",
        },
    },
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make sure
    # they exist now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, models in grants.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions.split()]
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename__in=codenames,
                    )
                )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
