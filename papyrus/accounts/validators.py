import re

from django.core.exceptions import ValidationError


class LetterDigitSymbolValidator:
    """A password needs at least one letter, one digit and one symbol."""

    message = "Password must contain a letter, a digit and a symbol."

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)
                and re.search(r"[^A-Za-z0-9]", password)):
            raise ValidationError(self.message, code="password_weak")

    def get_help_text(self):
        return self.message
