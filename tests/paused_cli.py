"""`tfgan-zoo ARGS...` run in this process, paused at a known point so that a
test can SIGKILL it exactly there, however fast the machine is (see
`conftest.kill_when_paused`):

    python paused_cli.py before|after NAME ARGS...

pauses just before (or just after) a temporary `.partial-*` file or folder
is renamed to a path named NAME: it prints PAUSED and waits to be killed.
The zoo writes every file that way, so this needs no hook in its code.
"""
import os
import select
import signal
import sys

PAUSED = "paused_cli: paused"


def pause():
    print(f"\n{PAUSED}", flush=True)  # on its own line, after any progress bar
    # Waits for the test's signal. A blocking read would not do: a signal that
    # lands on one of TensorFlow's threads sets Python's flag but interrupts no
    # read of the main thread, which then never runs the handler (a Ctrl-C was
    # lost that way under load). select returns every 50 ms to run it.
    while not select.select([sys.stdin], [], [], 0.05)[0]:
        pass
    os._exit(1)  # stdin closed: the test is gone, so end without finishing


def pause_at_rename(when, name):
    from tfgan_zoo.files import TEMP_PREFIX

    def wrap(rename):
        def paused_rename(src, dst, *args, **kwargs):
            hit = (os.path.basename(os.fspath(dst)) == name
                   and os.path.basename(os.fspath(src)).startswith(TEMP_PREFIX))
            if hit and when == "before":
                pause()
            result = rename(src, dst, *args, **kwargs)
            if hit and when == "after":
                pause()
            return result
        return paused_rename

    # Both: files.atomic_path uses os.replace, the export's version folder os.rename.
    os.rename, os.replace = wrap(os.rename), wrap(os.replace)


if __name__ == "__main__":
    # Ctrl-C as at a terminal: a process started in the background by a
    # non-interactive shell (a CI script's `cmd &`) inherits SIGINT ignored,
    # and Python then installs no KeyboardInterrupt handler, so the Ctrl-C
    # test's signal was lost and the child hung until the test's guard.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    when, name, *args = sys.argv[1:]
    assert when in ("before", "after"), when
    pause_at_rename(when, name)
    from tfgan_zoo import cli

    sys.exit(cli.main(args))
