"""Runs a command on a pseudo-terminal and copies everything it draws there to stdout, byte for byte.

    python3 pty-run.py COLUMNS command [args...]

The command's stdin, stdout and stderr are the terminal (COLUMNS wide, 24 rows), so isatty() holds for all three,
as in an interactive shell. SIGINT and SIGTERM sent to this script are passed on to the command (Ctrl-C in tests).
Exits with the command's exit status (128 + N when signal N ended it).
"""
import fcntl
import os
import pty
import signal
import struct
import sys
import termios


def main() -> int:
    columns = int(sys.argv[1])
    command = sys.argv[2:]
    pid, master = pty.fork()
    if pid == 0:
        # The child: its stdio is the terminal; set its size before the command starts, so it reads the right width.
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        os.execvp(command[0], command)
    for forwarded in (signal.SIGINT, signal.SIGTERM):
        signal.signal(forwarded, lambda number, _frame: os.kill(pid, number))
    output = sys.stdout.buffer
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every process holding the terminal has closed it
            break
        if not data:
            break
        output.write(data)
        output.flush()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
