"""The web chat widget (产研通在线咨询): its static script and demo page, served by the console or tests."""

from connectors.webchat.routes import WIDGET_ROUTE_NAMES, register_widget_routes

__all__ = ["WIDGET_ROUTE_NAMES", "register_widget_routes"]
