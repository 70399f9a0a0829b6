"""The staff console (对接专员工作台): an aiohttp app with server-rendered pages and a JSON API."""

from chanyan.console.app import init_app

__all__ = ["init_app"]
