"""``python -m tests.support.sleeper``: a process that only waits (for process supervision tests)."""

import time

if __name__ == "__main__":
    time.sleep(60)
