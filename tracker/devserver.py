"""`make run`: the development server with the scheduler beside it as a separate process, and a local mail
catcher when no MAIL_SERVER is configured (in the environment or .env), so every email can be read."""
import argparse
import os
import signal
import subprocess
import sys

from config import BASE_DIR

from .mail.catcher import start_catcher

MAIL_DIR = BASE_DIR / "instance" / "mail"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "5000"))
    args = parser.parse_args()
    env = child_environment(args.host, str(args.port))
    catcher = None
    if not mail_server_configured():
        catcher = start_catcher(MAIL_DIR)
        env.update(MAIL_SERVER=catcher.hostname, MAIL_PORT=str(catcher.port), MAIL_USE_TLS="false",
                   MAIL_USERNAME="", MAIL_PASSWORD="")
        print(f"No MAIL_SERVER configured: emails are caught, not sent. Read them in {MAIL_DIR}/*.eml "
              f"or, as an admin, at {env['BASE_URL']}/admin/mail/outbox", flush=True)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    # A plain `kill` of make run must not leave the scheduler running on its own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    scheduler = subprocess.Popen([*flask, "scheduler"], env=env)
    try:
        subprocess.run([*flask, "run", "--host", args.host, "--port", str(args.port)], check=False, env=env)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=10)
        if catcher is not None:
            catcher.stop()


def mail_server_configured() -> bool:
    """A MAIL_SERVER set in the environment or in .env (config.py has loaded .env into the environment) is
    always used as it is; only its absence starts the catcher. Config's own default stays "localhost", so a
    production host that relied on it is unaffected: the catcher is make run's alone."""
    return bool(os.environ.get("MAIL_SERVER", "").strip())


def child_environment(host: str, port: str) -> dict:
    """Links in emails point where make run serves, unless BASE_URL says otherwise."""
    env = dict(os.environ, HOST=host, PORT=port)
    env.setdefault("BASE_URL", f"http://{link_host(host)}:{port}")
    return env


def link_host(host: str) -> str:
    """Serving on every interface (0.0.0.0, ::) still means links to this machine."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


if __name__ == "__main__":
    main()
