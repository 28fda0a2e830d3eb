"""Browser forms: field labels are the accessible names the issue lists."""
from django import forms
from django.contrib.auth import password_validation

from papyrus.wiki.models import Page


class SignInForm(forms.Form):
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label="Password", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class RegisterForm(forms.Form):
    invite = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=100)
    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label="Password", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


def _tags(value: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))


class PageForm(forms.Form):
    """Create and edit. `version` is the page's version when the editor opened it."""

    title = forms.CharField(label="Title", max_length=200)
    content = forms.CharField(label="Content", required=False, strip=False, max_length=200_000,
                              widget=forms.Textarea(attrs={"rows": 18}))
    tags = forms.CharField(label="Tags", required=False, max_length=1100, help_text="Comma-separated")
    folder = forms.CharField(label="Folder", required=False, max_length=100)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, teams=(), with_team=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_team:
            self.fields["team"].choices = [("", "No team (public)")] + [(t.pk, t.name) for t in teams]
        else:
            del self.fields["team"]

    def clean_tags(self):
        tags = _tags(self.cleaned_data["tags"])
        if len(tags) > 20 or any(len(t) > 50 for t in tags):
            raise forms.ValidationError("At most 20 tags of up to 50 characters each.")
        return tags

    def clean_folder(self):
        return self.cleaned_data["folder"].strip() or "docs"

    def page_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("title", "content", "tags", "folder")}

    @staticmethod
    def initial_for(page: Page, version: str) -> dict:
        return {"title": page.title, "content": page.content, "tags": ", ".join(page.tags),
                "folder": page.folder, "version": version}


class TeamForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
