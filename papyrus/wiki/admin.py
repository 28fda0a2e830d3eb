"""Admin writes go through services.py so that cache and realtime hear about them."""
from django.contrib import admin

from . import services
from .models import Membership, Page, PageRevision, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


class RevisionInline(admin.TabularInline):
    model = PageRevision
    extra = 0
    can_delete = False
    fields = ["number", "title", "edited_by", "created_at"]
    readonly_fields = fields


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "folder", "team", "author", "updated_at", "deleted_at"]
    list_filter = ["folder", "team", "deleted_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["slug", "created_at", "updated_at", "deleted_at"]
    fields = ["title", "slug", "content", "tags", "folder", "author", "team",
              "created_at", "updated_at", "deleted_at"]
    autocomplete_fields = ["author", "team"]
    inlines = [RevisionInline]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            # the form already changed `obj`: the service compares against the stored page
            page = services.page_update(page=Page.objects.get(pk=obj.pk), editor=request.user, **data)
        else:
            page = services.page_create(author=form.cleaned_data.get("author") or request.user,
                                        team=form.cleaned_data.get("team"), **data)
        obj.pk = page.pk

    def delete_model(self, request, obj):
        services.page_delete(page=obj)

    def delete_queryset(self, request, queryset):
        for page in queryset:
            services.page_delete(page=page)
