"""`page_changed` is sent once per page write, after the transaction commits.

kwargs: event ("page.created" | "page.updated" | "page.deleted"), page. Cache
invalidation and realtime broadcasting listen here, so every write path
(API, admin, Celery, shell) that goes through services.py reaches them.
"""
from django.dispatch import Signal

page_changed = Signal()
