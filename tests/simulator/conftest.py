import httpx
import pytest

from social_care.simulator import Simulator, SimulatorServer

from .helpers import graph_client, x_client


@pytest.fixture(scope="module")
def sim():
    return Simulator(x_user_id="99", x_username="acmeshop", page_id="104512345678901", page_name="Acme",
                     page_token="EAAB-sim-token", x_bearer_token="sim-bearer")


@pytest.fixture(scope="module")
def server(sim):
    with SimulatorServer(sim, host="127.0.0.1", port=0) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(sim):
    sim.reset()
    sim.set_rate_limits("documented")
    sim.slack.per_second, sim.slack.burst = 1.0, 1
    yield
    assert not sim.errors, f"simulator raised internally: {sim.errors!r}"


@pytest.fixture
def x(server):
    return x_client(server.url)


@pytest.fixture
def graph(server):
    return graph_client(server.url)


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, timeout=5) as client:
        yield client
