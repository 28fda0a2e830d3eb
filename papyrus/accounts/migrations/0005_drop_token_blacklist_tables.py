"""The tables rest_framework_simplejwt.token_blacklist left behind when it was uninstalled (token
families, papyrus.accounts.models.TokenFamily, replaced it).

Dropped rather than left: token_blacklist_outstandingtoken keeps a foreign key to accounts_user that
Django no longer knows about, so deleting a user who had a row there would fail at commit, and its
`token` column holds refresh tokens in clear (in every backup). Its django_migrations rows go with
them, so that installing the app again would create the tables afresh.
"""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_invitation"),
    ]

    operations = [
        migrations.RunSQL(
            ["DROP TABLE IF EXISTS token_blacklist_blacklistedtoken, token_blacklist_outstandingtoken",
             "DELETE FROM django_migrations WHERE app = 'token_blacklist'"],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
