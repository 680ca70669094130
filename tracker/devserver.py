"""`make run`: the development server with the scheduler beside it as a separate process."""
import argparse
import os
import signal
import subprocess
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "5000"))
    args = parser.parse_args()
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    # A plain `kill` of make run must not leave the scheduler running on its own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    scheduler = subprocess.Popen([*flask, "scheduler"])
    try:
        subprocess.run([*flask, "run", "--host", args.host, "--port", str(args.port)], check=False)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=10)


if __name__ == "__main__":
    main()
