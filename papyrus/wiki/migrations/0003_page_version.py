from django.db import migrations, models

BACKFILL = """
UPDATE wiki_page p SET version = r.newest
FROM (SELECT page_id, MAX(number) AS newest FROM wiki_pagerevision GROUP BY page_id) r
WHERE r.page_id = p.id
"""


class Migration(migrations.Migration):
    dependencies = [("wiki", "0002_page_search_trigger")]

    operations = [
        migrations.AddField(model_name="page", name="version",
                            field=models.PositiveIntegerField(default=0, db_default=0, editable=False)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
