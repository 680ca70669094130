"""Entry point for `flask --app app ...` and gunicorn (`app:app`)."""
from tracker import create_app
from tracker.process import tune_garbage_collector

app = create_app()
tune_garbage_collector()
