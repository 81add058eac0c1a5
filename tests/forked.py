"""`python ARGS` for the tests, without starting Python and importing the SDK again.

`run_python(args, ...)` does what `subprocess.run([sys.executable, *args], ...)` does (a
script, `-m module` or `-c code`; the environment, folder, session, captured output, exit code
and timeout of a new process), in a fork of the test's own process, where `anthropic` and the
package are already imported: some 20 ms instead of a second and a half of CPU. The child
behaves as a new interpreter would for what the tests look at: its own process and session,
fds 1 and 2 as its output, no file descriptor of the test's but those, the default signal
handlers, no logging handler of pytest's, `__main__` for the code it runs.

What needs a new interpreter really (its start-up: `sitecustomize`, the network guard set up
by PYTHONPATH; Ctrl-C reaching a process group; the commands a reader types, `dev.py` first)
runs with subprocess, as before. Inside the child, the package's own `subprocess.run` of a
Python snippet (`stream-replay run`, the recorder) is forked too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import types
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

# What every snippet imports, imported once here: each fork has it already.
import anthropic  # noqa: F401

__all__ = ["forking_subprocess", "run_python", "run_tool"]

# A new interpreter's warning filters (pytest changes them only around each test).
_DEFAULT_WARNING_FILTERS = list(warnings.filters)


def run_python(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    capture_output: bool = False,
    text: bool = False,
    timeout: float | None = None,
    start_new_session: bool = False,
    stdout: IO[Any] | int | None = None,
    stderr: IO[Any] | int | None = None,
) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run([sys.executable, *args], ...)`, in a fork of this process."""
    arguments = [os.fspath(a) for a in args]
    command = [sys.executable, *arguments]
    with contextlib.ExitStack() as files:
        if capture_output:
            stdout = files.enter_context(tempfile.TemporaryFile())
            stderr = files.enter_context(tempfile.TemporaryFile())
        out_fd, err_fd = _fd(stdout), _fd(stderr)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with warnings.catch_warnings():  # Python 3.12+: a fork of a process with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            _child(arguments, cwd, env, out_fd, err_fd, start_new_session)
        code = _wait(pid, timeout, command)
        outputs: list[Any] = []
        for handle in (stdout, stderr) if capture_output else ():
            assert handle is not None
            assert not isinstance(handle, int)
            handle.seek(0)
            data = handle.read()
            outputs.append(data.decode("utf-8", "replace") if text else data)
    out, err = outputs if outputs else (None, None)
    return subprocess.CompletedProcess(command, code, out, err)


def run_tool(
    *arguments: str,
    cwd: Path | None = None,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m stream_replay ARGUMENTS` (what dev.py runs), in a fork of this process, in
    the project's folder (or `cwd`), with no key and the network guard (`env` added)."""
    from .project import ROOT, subprocess_env

    return run_python(
        ["-m", "stream_replay", *arguments],
        cwd=cwd or ROOT,
        env=subprocess_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _fd(stream: IO[Any] | int | None) -> int | None:
    if stream is None or stream == subprocess.DEVNULL:
        return os.open(os.devnull, os.O_WRONLY) if stream == subprocess.DEVNULL else None
    return stream if isinstance(stream, int) else stream.fileno()


def _wait(pid: int, timeout: float | None, command: list[str]) -> int:
    deadline = None if timeout is None else time.monotonic() + timeout
    pause = 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if deadline is not None and time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)  # what subprocess.run does at its timeout
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(command, timeout or 0)
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


def _child(
    args: list[str],
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str] | None,
    out_fd: int | None,
    err_fd: int | None,
    new_session: bool,
) -> NoReturn:
    code = 1
    try:
        # Nothing of the parent's is collected here: an object that held a descriptor must not
        # close it again once its number is reused.
        gc.freeze()
        if new_session:
            os.setsid()
        for fd, target in ((out_fd, 1), (err_fd, 2)):
            if fd is not None and fd != target:
                os.dup2(fd, target)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # as subprocess.run's close_fds
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for number in (signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        asyncio.events._set_running_loop(None)  # a browser test's Playwright loop
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.setLevel(logging.WARNING)
        logging.disable(logging.NOTSET)
        warnings.filters[:] = _DEFAULT_WARNING_FILTERS  # type: ignore[index]
        # pytest's import hook (it rewrites asserts) has no place in a plain interpreter.
        sys.meta_path[:] = [f for f in sys.meta_path if not hasattr(f, "mark_rewrite")]
        if cwd is not None:
            os.chdir(cwd)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        _fork_snippets_too()
        _run(args)
        code = 0
    except SystemExit as exit_:
        code = _exit_code(exit_.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as Python exits on Ctrl-C: by SIGINT
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        _flush()
        os._exit(code)


def _run(args: list[str]) -> None:
    if args[0] == "-m":
        sys.argv = [args[1], *args[2:]]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    elif args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        sys.path.insert(0, "")
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = list(args)
        sys.path.insert(0, str(Path(args[0]).resolve().parent))
        runpy.run_path(args[0], run_name="__main__")


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _run_forked(command: Sequence[str], **options: Any) -> subprocess.CompletedProcess[Any]:
    """subprocess.run, forked for `[sys.executable, ...]`, as run_python."""
    if command and command[0] == sys.executable:
        return run_python(command[1:], **options)
    return subprocess.run(command, **options)


# The package's `subprocess` as seen from its modules that run snippets.
forking_subprocess = types.SimpleNamespace(
    run=_run_forked, TimeoutExpired=subprocess.TimeoutExpired, DEVNULL=subprocess.DEVNULL
)


def _fork_snippets_too() -> None:
    from stream_replay import _cli, _recorder

    setattr(_cli, "subprocess", forking_subprocess)  # noqa: B010 - not a name mypy knows
    setattr(_recorder, "subprocess", forking_subprocess)  # noqa: B010
