from datetime import timezone as dt_timezone

from django.conf import settings
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from .models import Page, Team

TAG = serializers.CharField(max_length=50, allow_blank=False)


class PageSerializer(serializers.ModelSerializer):
    """The page as clients see it; writes go through services.py, not .save()."""

    tags = serializers.ListField(child=TAG, max_length=20, required=False)
    # Not the model's SlugField: its schema pattern is ASCII, a slug keeps the title's letters (Unicode)
    slug = serializers.CharField(read_only=True, help_text="From the title: lower-case letters, digits, hyphens")
    folder = serializers.CharField(max_length=100, required=False)
    content = serializers.CharField(max_length=200_000, allow_blank=True, required=False, trim_whitespace=False)
    teamId = serializers.IntegerField(source="team_id", required=False, allow_null=True,
                                      min_value=1, max_value=2**63 - 1)
    author = serializers.CharField(source="author.name", read_only=True)
    authorId = serializers.IntegerField(source="author_id", read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Page
        fields = ["id", "title", "slug", "content", "tags", "folder", "author", "authorId", "teamId",
                  "createdAt", "updatedAt"]
        read_only_fields = ["id", "slug"]

    def to_representation(self, page):
        """The same dict DRF's field-by-field walk builds (tests compare them), ~10× cheaper:
        every page response and cache fill goes through here."""
        if not _utc_iso_dates():
            return super().to_representation(page)
        return {
            "id": page.pk, "title": page.title, "slug": page.slug, "content": page.content,
            "tags": [str(t) for t in page.tags], "folder": page.folder, "author": page.author.name,
            "authorId": page.author_id, "teamId": page.team_id,
            "createdAt": _iso(page.created_at), "updatedAt": _iso(page.updated_at),
        }


def _utc_iso_dates() -> bool:
    """Does DRF write datetimes as UTC ISO 8601 here (what _iso reproduces)?"""
    return (settings.USE_TZ and settings.TIME_ZONE == "UTC"
            and api_settings.DATETIME_FORMAT == ISO_8601)


def _iso(value):
    """DRF's DateTimeField output when _utc_iso_dates()."""
    if value is None:
        return None
    text = value.astimezone(dt_timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class PageInput(serializers.Serializer):
    """What a page write accepts: PageSerializer's writable fields, declared (a ModelSerializer
    rebuilds its fields from the model on every request: 2.4× the validation CPU, measured)."""

    title = serializers.CharField(max_length=200)
    tags = serializers.ListField(child=serializers.CharField(max_length=50, allow_blank=False), max_length=20,
                                 required=False)
    folder = serializers.CharField(max_length=100, required=False)
    content = serializers.CharField(max_length=200_000, allow_blank=True, required=False, trim_whitespace=False)
    teamId = serializers.IntegerField(source="team_id", required=False, allow_null=True,
                                      min_value=1, max_value=2**63 - 1)


class PageListParams(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=20, min_value=1)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**9)
    q = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    tag = serializers.CharField(required=False, default="", max_length=50, allow_blank=True)
    folder = serializers.CharField(required=False, default="", max_length=100, allow_blank=True)
    teamId = serializers.IntegerField(required=False, default=None, min_value=1, max_value=2**63 - 1)

    def validate_limit(self, value):
        return min(value, 100)


class SearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    limit = serializers.IntegerField(required=False, default=20, min_value=1)

    def validate_limit(self, value):
        return min(value, 100)


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    snippet = serializers.CharField()
    rank = serializers.FloatField()


class TeamSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100)
    role = serializers.CharField(read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "role", "createdAt"]

    def to_representation(self, team):
        """DRF's field-by-field walk, written out as PageSerializer's (tests compare them): a
        ModelSerializer builds its fields from the model on every response."""
        if not _utc_iso_dates() or not hasattr(team, "role"):
            return super().to_representation(team)
        return {"id": team.pk, "name": team.name, "role": None if team.role is None else str(team.role),
                "createdAt": _iso(team.created_at)}
