"""Edition 2's new rules: the setting REL403's fix reads, and facts their messages state."""

from __future__ import annotations

import pytest

from rel05_lint.core.config import ConfigError, Settings, from_table
from rel05_lint.registry import build_engine


def test_default_pool_size_is_read_and_validated():
    assert Settings().default_pool_size == 100
    assert from_table({"default-pool-size": 64}, "pyproject.toml").default_pool_size == 64
    for bad in (0, -5, 2.5, "100", True):
        with pytest.raises(ConfigError, match="default-pool-size"):
            from_table({"default-pool-size": bad}, "pyproject.toml")


def _messages(code: str, text: str) -> list[str]:
    engine = build_engine(Settings(select=(code,)))
    return [f.message for f in engine.check(text, "app.py")]


@pytest.mark.parametrize(
    "config, product",
    [
        ("", "6 tenacity attempts x 3 botocore attempts"),
        ('config=Config(retries={"max_attempts": 4})', "6 tenacity attempts x 5 botocore attempts = 30 calls"),
        ('config=Config(retries={"total_max_attempts": 2, "max_attempts": 9})', "x 2 botocore attempts = 12 calls"),
        ('config=Config(retries={"mode": "standard"})', "x 3 botocore attempts = 18 calls"),
        ('config=Config(retries={"total_max_attempts": 1})', None),
        ('config=Config(retries={"max_attempts": 0})', None),
        ("config=Config(retries=RETRIES)", None),  # not shown: not judged
    ],
)
def test_layered_retry_reads_botocore_retry_configs(config, product):
    text = (
        "import boto3\nfrom botocore.config import Config\nfrom tenacity import retry, stop_after_attempt\n"
        f"s3 = boto3.client('s3', {config})\n"
        "@retry(stop=stop_after_attempt(6))\ndef get():\n    return s3.get_object(Bucket='b', Key='k')\n"
    )
    messages = _messages("REL306", text)
    if product is None:
        assert messages == []
    else:
        assert len(messages) == 1 and product in messages[0], messages


@pytest.mark.parametrize(
    "loop, product",
    [
        ("for _ in range(4):", "4 loop attempts x 3 openai attempts = 12 calls"),
        ("for _ in range(1, 4):", "3 loop attempts x 3 openai attempts = 9 calls"),
        ("while True:", "an unbounded loop retry, each attempt making up to 3 openai attempts"),
    ],
)
def test_layered_retry_counts_hand_written_loops(loop, product):
    text = (
        "import time\nfrom openai import OpenAI\nclient = OpenAI()\n"
        f"def ask():\n    {loop}\n        try:\n"
        "            return client.chat.completions.create(model='m', messages=[])\n"
        "        except ConnectionError:\n            time.sleep(1)\n"
    )
    messages = _messages("REL306", text)
    assert len(messages) == 1 and product in messages[0], messages


def test_leaked_error_detail_keeps_tracebacks_out_of_4xx_answers():
    text = (
        "import traceback\nfrom flask import Flask, jsonify\napp = Flask(__name__)\n"
        "@app.post('/import')\ndef imp():\n    try:\n        load()\n    except ValueError as e:\n"
        "        return jsonify(error=str(e)), 400\n"
        "    except KeyError:\n        return jsonify(trace=traceback.format_exc()), 400\n"
    )
    messages = _messages("REL103", text)
    assert len(messages) == 1 and "traceback.format_exc()" in messages[0]
