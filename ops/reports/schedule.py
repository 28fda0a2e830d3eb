"""Celery beat entries for the weekly digests (imported by settings: plain values, no Django).

    CELERY_BEAT_SCHEDULE.update(beat_schedule(errors_cron=..., performance_cron=...))

Merged into the site's schedule, never replacing it (other apps add their own entries).
"""
from ops.cron import beat_entries

from .conf import DEFAULTS

# Named when the reports lived in ops.checklist; kept, as beat entries and queued messages carry them.
ERROR_DIGEST_TASK = "ops_checklist.weekly_error_digest"
PERFORMANCE_SUMMARY_TASK = "ops_checklist.weekly_performance_summary"


def beat_schedule(*, errors_cron: str | None = None, performance_cron: str | None = None) -> dict:
    """Both weekly digests (None: the default crons, Mondays 07:00 / 07:15 UTC).

    An invalid cron yields no entry; the system check ops_reports.E001 reports it.
    """
    errors_cron = errors_cron or DEFAULTS["OPS_DIGEST_ERRORS_SCHEDULE"]
    performance_cron = performance_cron or DEFAULTS["OPS_DIGEST_PERFORMANCE_SCHEDULE"]
    return beat_entries({"ops-weekly-error-digest": (ERROR_DIGEST_TASK, errors_cron),
                         "ops-weekly-performance-summary": (PERFORMANCE_SUMMARY_TASK, performance_cron)})
