"""A real worker process for the tests: `python -m tests.worker_main CONFIG_JSON`
builds the test app on the given database and runs the worker until killed."""
from __future__ import annotations

import json
import logging
import sys


def main() -> None:
    settings = json.loads(sys.argv[1])
    name = settings.pop("WORKER_NAME")
    logging.basicConfig(level=logging.INFO, format=f"{name} %(asctime)s %(name)s %(message)s")
    from casesys import create_app
    from casesys.jobs.worker import Worker

    app = create_app("test", **settings)
    Worker(app, name=name, poll_seconds=0.2).run()


if __name__ == "__main__":
    main()
