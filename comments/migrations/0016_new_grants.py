from django.contrib.auth.management import create_permissions
from django.db import migrations

# What the groups made in 0002 may do with what came since: editors keep old
# links working; moderators handle bounced addresses, read the audit trail of
# exports and erasures (erasing stays with those who may delete comments) and
# open an article's admin page to download its comments.
GRANTS = {
    "Editors": {"articles": {"redirect": "add change delete view"}},
    "Moderators": {
        "comments": {"subscriber": "view change", "datarequest": "view"},
        # The article's page in the admin, where its comments download.
        "articles": {"article": "view"},
    },
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue  # removed by the site's administrators: nothing to extend
        for app_label, models in grants.items():
            for model, actions in models.items():
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename__in=[f"{action}_{model}" for action in actions.split()],
                    )
                )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_imports"),
        ("comments", "0015_imports"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
