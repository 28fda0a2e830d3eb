"""Under Sentinel, the Celery broker URL and the channel layer built by ops.redis_settings reach the master."""
import asyncio
import uuid

from channels_redis.pubsub import RedisPubSubChannelLayer
from kombu import Connection

from ops.redis_settings import redis_settings


def sentinel_settings(redis_sentinel):
    return redis_settings(url="redis://unused:1", db="3", sentinel_master="mymaster",
                          sentinel_nodes=redis_sentinel.nodes)


def test_celery_broker_goes_through_sentinel(redis_sentinel):
    built = sentinel_settings(redis_sentinel)
    queue_name = f"q-{uuid.uuid4().hex}"
    with Connection(built["CELERY_BROKER_URL"],
                    transport_options=built["CELERY_BROKER_TRANSPORT_OPTIONS"]) as conn:
        queue = conn.SimpleQueue(queue_name)
        queue.put({"hello": "sentinel"})
        message = queue.get(timeout=10)
        assert message.payload == {"hello": "sentinel"}
        message.ack()
        queue.close()
    master = redis_sentinel.servers[[s.port for s in redis_sentinel.servers].index(redis_sentinel.master_port())]
    assert master.client(db=3).exists("_kombu.binding." + queue_name)


def test_channel_layer_goes_through_sentinel(redis_sentinel):
    config = sentinel_settings(redis_sentinel)["CHANNEL_LAYERS"]["default"]["CONFIG"]

    async def round_trip():
        layer = RedisPubSubChannelLayer(**config)
        try:
            channel = await layer.new_channel()
            await layer.group_add("g", channel)
            await layer.group_send("g", {"type": "hello", "text": "via sentinel"})
            return await asyncio.wait_for(layer.receive(channel), timeout=10)
        finally:
            await layer.flush()

    assert asyncio.run(round_trip()) == {"type": "hello", "text": "via sentinel"}
