"""PostgreSQL backend (ENGINE "ops.postgres"): Django's, with a health check that costs no round trip.

See base.py. Use it where DATABASES has CONN_MAX_AGE > 0 and CONN_HEALTH_CHECKS = True.
"""
