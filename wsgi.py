"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from casesys import create_app

app = create_app()
