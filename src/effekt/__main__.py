"""``python -m effekt``: the same program as the ``effekt`` command, called by that name."""

from effekt.cli import main

if __name__ == "__main__":
    main(prog_name="effekt")
