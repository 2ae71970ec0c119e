"""The settings of several processes: shards, the task queue, the burst, and what a bad value says."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.runtime.settings import ConfigError, load_settings

KEYS = ("SHARD_COUNT", "SHARD_IDS", "REDIS_URL", "PUBLISH_CONCURRENCY", "QUEUE_REQUEUE_AFTER", "LEADER_RETRY")


@pytest.fixture
def env(monkeypatch, tmp_path: Path):
    for key in (*KEYS, "PARECON_ROTA_ENV_FILE"):
        monkeypatch.delenv(key, raising=False)

    def load(**values: str):
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        return load_settings(None, {k: v for k, v in values.items()}, tmp_path).settings

    return load


def test_by_default_one_process_holds_everything_and_solves_itself(env) -> None:
    settings = env()
    assert (settings.shard_count, settings.shard_ids, settings.redis_url) == (None, None, None)
    assert settings.syncs_commands and not settings.sharded
    assert (settings.publish_concurrency, settings.queue_requeue_after, settings.leader_retry) == (4, 15, 5)


def test_shards_are_read_as_a_list_and_only_shard_zeros_process_syncs(env) -> None:
    assert env(SHARD_COUNT="4", SHARD_IDS="2, 3").shard_ids == [2, 3]
    assert not env(SHARD_COUNT="4", SHARD_IDS="2,3").syncs_commands
    assert env(SHARD_COUNT="4", SHARD_IDS="1,0").syncs_commands
    assert env(SHARD_COUNT="4", SHARD_IDS="").shard_ids is None  # all four here
    assert env(SHARD_COUNT="", SHARD_IDS="").shard_count is None  # .env.example's empty values


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT (the number of shards across all processes)"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS must be numbers from 0 to 1 (SHARD_COUNT=2); got 2"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "one"}, "SHARD_IDS=one is not valid: must be shard numbers"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT=0 is not valid"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL=127.0.0.1:6379 is not valid: must start with redis://"),
        ({"PUBLISH_CONCURRENCY": "0"}, "PUBLISH_CONCURRENCY=0 is not valid"),
        ({"QUEUE_REQUEUE_AFTER": "1"}, "QUEUE_REQUEUE_AFTER=1 is not valid"),
    ],
)
def test_a_bad_value_says_which_setting_and_what_is_allowed(env, values, message) -> None:
    with pytest.raises(ConfigError) as raised:
        env(**values)
    assert message in str(raised.value)
    assert ".env.example" in str(raised.value)


def test_each_group_of_shards_records_its_own_gateway_heartbeat() -> None:
    from bot.runtime.health import HEARTBEAT_KEY, heartbeat_key

    assert heartbeat_key(None) == HEARTBEAT_KEY == "health:gateway"  # one process: as before
    assert heartbeat_key([0, 1]) == "health:gateway:shards=0,1"
    assert heartbeat_key([2, 3]) != heartbeat_key([0, 1])
