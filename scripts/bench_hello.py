"""The yardstick for `make bench`: a hello-world Flask app served the same way (gunicorn, 2 sync workers).

A page's req/s as a share of this one's says how heavy the page is on this machine, whatever the machine.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
