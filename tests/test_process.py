"""The serving process (app.py, which gunicorn and the dev server load) keeps the app's long-lived objects out
of the garbage collector's full passes; tests and create_app leave Python's defaults alone."""
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_app_py_freezes_the_built_app_and_collects_new_objects_less_often(tmp_path):
    probe = ("import gc, json; before = len(gc.get_objects()); import app; "
             "print(json.dumps([gc.get_freeze_count(), before, gc.get_threshold()]))")
    env = {**os.environ, "SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    frozen, before, threshold = json.loads(out)
    assert frozen > before  # everything create_app built is frozen, not only what existed before it
    assert threshold[0] == 10_000


def test_create_app_alone_leaves_the_collector_as_python_sets_it(app):
    assert gc.get_threshold()[0] != 10_000
