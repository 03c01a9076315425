"""Janus API: every route group and event handler, in one screen."""

from chalice import Chalice

from chalicelib.api import admin, auth, fallback, health, users
from chalicelib.api.chalice_errors import envelope_chalice_errors
from chalicelib.core.structured_logs import configure as configure_logs

configure_logs()
app = Chalice(app_name="janus", configure_logs=False)
app.api.binary_types = ["image/png", "image/jpeg", "image/webp", "image/gif"]

for module in (health, auth, users, admin):
    app.register_blueprint(module.api.blueprint)

app.register_middleware(envelope_chalice_errors, "http")
fallback.install(app)  # last: JSON 404/405 and CORS preflights for everything above
