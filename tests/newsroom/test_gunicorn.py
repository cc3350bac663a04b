import json
from types import SimpleNamespace

from gunicorn.config import Config

from newsroom.gunicorn_conf import JsonAccessLogger, logconfig_dict


def access_lines(capsys, accesslog):
    config = Config()
    config.set("accesslog", accesslog)
    config.set("logconfig_dict", logconfig_dict)
    logger = JsonAccessLogger(config)
    request = SimpleNamespace(
        method="GET",
        path="/articles/x/",
        query="",
        uri="/articles/x/",
        version=(1, 1),
        headers=[("USER-AGENT", "Secret Browser")],
        peer_addr=("203.0.113.9", 5000),
    )
    response = SimpleNamespace(status="200 OK", response_length=12, headers=[], sent=12)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/articles/x/",
        "PATH_INFO": "/articles/x/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_USER_AGENT": "Secret Browser",
    }
    logger.access(response, request, environ, SimpleNamespace(seconds=0, microseconds=1500))
    return [line for line in capsys.readouterr().out.splitlines() if line]


def test_access_lines_are_json_without_address_or_user_agent(capsys):
    [line] = access_lines(capsys, "-")

    entry = json.loads(line)
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/articles/x/", "200")
    assert "203.0.113.9" not in line
    assert "Secret Browser" not in line


def test_an_empty_setting_means_no_access_log(capsys):
    # gunicorn_conf reads an empty GUNICORN_ACCESSLOG as None.
    assert access_lines(capsys, None) == []
