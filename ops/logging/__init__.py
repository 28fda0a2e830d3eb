"""JSON logs for Django and Celery: files under LOG_DIR, an `http` level, request ids, masking.

`ops.logging.config.build_logging()` returns the LOGGING dict; the app adds the request
middleware, Celery propagation of the request id and system checks. Never imports a project.
"""
