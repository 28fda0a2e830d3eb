"""Point-in-time recovery: continuous WAL archiving and base backups to S3 with barman-cloud.

barman.py (tool commands, bucket listings), setup.py (archive settings), base.py (base backups,
retention), recover.py (`backup pitr`), drill.py, metrics.py, checks.py, tasks.py, schedule.py.
"""
