"""Local, stateful simulator of the X API v2, the Facebook Graph API (Page + Messenger) and Slack
incoming webhooks, faithful enough for the real tweepy and facebook-sdk clients.

    sim = Simulator()
    with SimulatorServer(sim) as server:   # server.url == "http://127.0.0.1:<port>"
        sim.x.add_mention(author_id="42", username="janedoe", text="@acmeshop my order never arrived")
"""
from .core import Simulator
from .records import RecordedRequest, RecordedWrite
from .server import SimulatorServer

__all__ = ["Simulator", "SimulatorServer", "RecordedRequest", "RecordedWrite"]
