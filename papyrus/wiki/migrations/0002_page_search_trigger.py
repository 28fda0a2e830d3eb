"""Keep Page.search_vector in the database itself, whatever writes the row.

Weights: title A > tags B > content C (SearchRank weighs A highest).
"""
from django.db import migrations

FORWARD = """
CREATE FUNCTION wiki_page_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
      setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
   || setweight(to_tsvector('english', coalesce(array_to_string(NEW.tags, ' '), '')), 'B')
   || setweight(to_tsvector('english', coalesce(NEW.content, '')), 'C');
  RETURN NEW;
END
$$;
CREATE TRIGGER wiki_page_search_vector_trg
  BEFORE INSERT OR UPDATE OF title, tags, content ON wiki_page
  FOR EACH ROW EXECUTE FUNCTION wiki_page_search_vector();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS wiki_page_search_vector_trg ON wiki_page;
DROP FUNCTION IF EXISTS wiki_page_search_vector();
"""


class Migration(migrations.Migration):
    dependencies = [("wiki", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
