"""Background work: the job runners (in-process, Celery), what a worker does, and the digest scheduler."""
