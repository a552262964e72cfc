"""The web server `watcher run` serves on `[web] bind`/`port`: `/healthz` and `/metrics` for
whoever operates the container, and the staff console."""
