"""Django admin: the list of backups, "Back up now", and restore behind a typed confirmation."""
from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from . import names, preflight, queue, tasks
from .errors import BackupError
from .models import Backup


class RestorePagesForm(forms.Form):
    pages = forms.CharField(label="Page ids (comma-separated)", required=False, max_length=500)
    folder = forms.CharField(label="or every page of the folder", required=False, max_length=100)

    def clean_pages(self):
        raw = [p.strip() for p in self.cleaned_data["pages"].split(",") if p.strip()]
        if not all(p.isdigit() for p in raw):
            raise forms.ValidationError("Page ids are numbers, e.g. 12, 40")
        return [int(p) for p in raw]

    def clean(self):
        data = super().clean()
        if not data.get("pages") and not data.get("folder"):
            raise forms.ValidationError("Name page ids or a folder.")
        return data


class RestoreConfirmForm(forms.Form):
    confirm_name = forms.CharField(label="Type the backup's name to confirm", max_length=100)

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm_name(self):
        value = self.cleaned_data["confirm_name"].strip()
        if value != self.expected:
            raise forms.ValidationError("The name does not match; nothing was restored.")
        return value


@admin.register(Backup)
class BackupAdmin(admin.ModelAdmin):
    change_list_template = "admin/backups_app/backup/change_list.html"
    list_display = ["name", "kind", "human_size", "created_at", "status", "location", "verified_at", "restore_link"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]
    readonly_fields = [f.name for f in Backup._meta.fields]

    def has_add_permission(self, request):
        return False  # backups come from "Back up now", the CLI or the schedule

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="size", ordering="size")
    def human_size(self, obj):
        return filesizeformat(obj.size) if obj.size else "—"

    @admin.display(description="restore")
    def restore_link(self, obj):
        if obj.status != Backup.Status.SUCCESS:
            return "—"
        url = reverse("admin:backups_app_backup_restore", args=[obj.name])
        pages = reverse("admin:backups_app_backup_restore_pages", args=[obj.name])
        return format_html('<a class="button" href="{}">Restore…</a> <a href="{}">Pages…</a>', url, pages)

    def get_urls(self):
        own = [
            path("backup-now/", self.admin_site.admin_view(self.backup_now), name="backups_app_backup_now"),
            path("<str:name>/restore/", self.admin_site.admin_view(self.restore_view),
                 name="backups_app_backup_restore"),
            path("<str:name>/restore-pages/", self.admin_site.admin_view(self.restore_pages_view),
                 name="backups_app_backup_restore_pages"),
        ]
        return own + super().get_urls()

    def backup_now(self, request):
        if request.method != "POST" or not self.has_view_permission(request) or not request.user.is_staff:
            return HttpResponseRedirect(reverse("admin:backups_app_backup_changelist"))
        try:
            row = queue.backup_enqueue()
            self.message_user(request, f"Backup {row.name} queued; refresh to see it finish.", messages.SUCCESS)
        except BackupError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:backups_app_backup_changelist"))

    def restore_view(self, request, name):
        changelist = reverse("admin:backups_app_backup_changelist")
        if not names.is_valid(name) or not request.user.is_superuser:
            self.message_user(request, "Unknown backup or not allowed.", messages.ERROR)
            return HttpResponseRedirect(changelist)
        form = RestoreConfirmForm(request.POST or None, expected=name)
        if request.method == "POST" and form.is_valid():
            try:
                queue.restore_enqueue(name=name)
                self.message_user(request, f"Restore of {name} queued: the site refuses writes until it "
                                           "finishes; a safety backup is taken first.", messages.WARNING)
                return HttpResponseRedirect(changelist)
            except BackupError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        try:
            checks = preflight.backup_preflight(name=name)
        except BackupError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(changelist)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "backup": Backup.objects.filter(name=name).first(), "name": name,
                   "title": f"Restore {name}?", "checks": checks,
                   "blocked": any(c.status == preflight.BLOCK for c in checks)}
        return TemplateResponse(request, "admin/backups_app/backup/restore_confirm.html", context)

    def restore_pages_view(self, request, name):
        """Bring single pages back from a backup as new revisions (queued: a scratch load can take a while)."""
        changelist = reverse("admin:backups_app_backup_changelist")
        if not names.is_valid(name) or not request.user.is_superuser:
            self.message_user(request, "Unknown backup or not allowed.", messages.ERROR)
            return HttpResponseRedirect(changelist)
        form = RestorePagesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            tasks.restore_pages.delay(name=name, page_ids=form.cleaned_data["pages"],
                                      folder=form.cleaned_data["folder"])
            self.message_user(request, f"Bringing pages back from {name} is queued: each comes back as a new "
                                       "revision of the live page; nothing else changes.", messages.SUCCESS)
            return HttpResponseRedirect(changelist)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "name": name,
                   "title": f"Bring pages back from {name}"}
        return TemplateResponse(request, "admin/backups_app/backup/restore_pages.html", context)
