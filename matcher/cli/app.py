"""`matcher app`: the working group's Streamlit app on the configured database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import webbrowser
from pathlib import Path

import click

import matcher
from matcher.app.context import DB_ENV

APP_SCRIPT_ENV = "MATCHER_APP_SCRIPT"
HOST_HELP = "Address to listen on (env MATCHER_APP_HOST; default 127.0.0.1: this machine only)."


def app_script() -> Path:
    """app.py at the root of the clone the package is installed from (editable install, as the
    README says), or MATCHER_APP_SCRIPT."""
    own = os.environ.get(APP_SCRIPT_ENV)
    path = Path(own) if own else Path(matcher.__file__).resolve().parent.parent / "app.py"
    if not path.is_file():
        raise click.ClickException(
            f"cannot find the app at {path}: install from a clone with `pip install -e .`, "
            f"or set {APP_SCRIPT_ENV} to the path of app.py"
        )
    return path


def streamlit_command(script: Path, host: str, port: int) -> list[str]:
    """`streamlit run app.py` (through matcher.app.serve, which imports the app's modules
    first) bound to `host:port`, without telemetry. Always headless: a non-headless first run
    stops to ask for an e-mail address on the terminal."""
    return [
        # -P: not the current directory on sys.path (a click.py there would replace click)
        sys.executable, "-P", "-m", "matcher.app.serve", "run", str(script),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",  # no "Deploy" button for the working group
    ]  # fmt: skip


def serve(db_path: Path, host: str, port: int, *, open_browser: bool = False) -> int:
    """Run the app until it is stopped (Ctrl-C); its exit code. With `open_browser`, the
    user's browser opens on it once it answers (only where there is a desktop)."""
    command = streamlit_command(app_script(), host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}"
    click.echo(f"App: {url}  (database {db_path}; Ctrl-C to stop)")
    process = subprocess.Popen(command, env={**os.environ, DB_ENV: str(db_path)})
    try:
        if open_browser and _has_desktop() and _answers(url, process):
            webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()


def _has_desktop() -> bool:
    # Without one, webbrowser would start a text browser (lynx, w3m) in this terminal.
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _answers(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def app_options(function):  # type: ignore[no-untyped-def]
    port = click.option("--port", envvar="MATCHER_APP_PORT", type=int, default=8501,
                        show_default=True, help="Port (env MATCHER_APP_PORT).")  # fmt: skip
    host = click.option("--host", envvar="MATCHER_APP_HOST", default="127.0.0.1", help=HOST_HELP)
    return host(port(function))


@click.command("app")
@app_options
@click.pass_obj
def app_command(obj: dict, host: str, port: int) -> None:
    """Start the working group's app (Streamlit) on the configured database."""
    path = Path(obj["db_path"])
    if not path.exists():
        click.echo(f"Note: no database at {path} yet; the app says how to make one.", err=True)
    sys.exit(serve(path, host, port))
