"""Accounts housekeeping on Celery beat (settings: ACCOUNTS_PRUNE_SCHEDULE)."""
from celery import shared_task

from . import services

PRUNE_TASK = "papyrus.accounts.tasks.prune_token_families"


@shared_task(name=PRUNE_TASK, ignore_result=True)
def prune_token_families() -> int:
    """Delete the sign-ins whose newest refresh token has expired; how many went."""
    return services.token_families_prune()
