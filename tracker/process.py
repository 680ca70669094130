"""How a serving process (a gunicorn worker, the dev server) runs the app: applied by app.py, never by
create_app, so tests and CLI runs that build apps keep Python's defaults."""
import gc

YOUNG_OBJECTS = 10_000  # allocations between two collections of new objects (Python's default: 700)


def tune_garbage_collector() -> None:
    """The app keeps some 200,000 long-lived objects (modules, mappers, templates, cached statements), and each
    of Python's full collections walked them all: ~100 ms, several times a minute under load, half of a
    province's dashboard. Frozen once the app is built, they are left out of every collection; and new objects
    are collected every 10,000 allocations rather than 700, since most of a request's objects die with it."""
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, 10, 10)
