"""What a restore keeps of the live data, from the project's models (BACKUP_KEPT_MODELS, AUTH_USER_MODEL).

Kept tables are never dumped: a backup file holds none of their rows, and a restore puts the live
rows back, dropping those that refer to a row the restored data lacks. Of the site's user model, a
restore keeps each user's live password and takes back no access removed since (is_active,
is_staff, is_superuser stay true only where both the backup and the live row say true).
"""
from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models

from . import conf

ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")


def kept_models() -> list[type[models.Model]]:
    """The backups list, then the models of BACKUP_KEPT_MODELS."""
    return [apps.get_model("backups_app", "Backup"), *(apps.get_model(label) for label in conf.kept_models())]


def kept_tables() -> dict[str, str]:
    """table → the SQL condition a live row must meet to come back ("" for every row)."""
    kept = kept_models()
    return {model._meta.db_table: _references_present(model, kept) for model in kept}


def excluded_data_tables() -> tuple[str, ...]:
    return tuple(kept_tables())


def _references_present(model, kept) -> str:
    """Each foreign key to a table the backup restores must name a row that is there (or be null)."""
    conditions = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model not in kept:
            target = field.related_model._meta
            column = field.target_field.column
            conditions.append(f'("{field.column}" IS NULL OR "{field.column}" IN '
                              f'(SELECT "{column}" FROM public."{target.db_table}"))')  # nosec B608  # columns and tables from the models' _meta
    return " AND ".join(conditions)


def user_access() -> tuple[str, str, str, list[str]] | None:
    """(table, key, password, access flags) columns of AUTH_USER_MODEL; None without django.contrib.auth."""
    if not apps.is_installed("django.contrib.auth"):
        return None
    model = apps.get_model(settings.AUTH_USER_MODEL)
    columns = {field.name: field.column for field in model._meta.concrete_fields}
    if "password" not in columns:
        return None
    flags = [columns[name] for name in ACCESS_FLAGS if name in columns]
    return model._meta.db_table, model._meta.pk.column, columns["password"], flags
