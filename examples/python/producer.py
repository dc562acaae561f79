#!/usr/bin/env python3
"""Publish one warren job from Python with pika: the `send_invoice` handler job.

A warren worker that registered `send_invoice` performs it (see ../README.md). The
envelope format is documented in schemas/README.md; this file is a readable example of it.

    AMQP_URL=amqp://guest:guest@127.0.0.1:5672 /usr/bin/python3 producer.py --queue invoices
    /usr/bin/python3 producer.py --encoding protobuf --proto-out /tmp/warren-proto   # see README.md
    TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 /usr/bin/python3 producer.py

Sends W3C trace context with the job (the `traceparent` header, and `tracestate` when the
TRACESTATE variable is set): $TRACEPARENT when set, else a new trace. A warren worker with
OpenTelemetry makes its span for the job a child of it.

Prints the job id on stdout. Exits non-zero when the broker did not take the job
(unroutable: no queue bound for it; nacked; connection failure).
"""
import argparse
import json
import os
import re
import secrets
import sys
import uuid
from datetime import datetime, timezone

import pika

JSON_CONTENT_TYPE = "application/json"
PROTOBUF_CONTENT_TYPE = "application/x-protobuf"


# Active Job's argument format for the Ruby types JSON lacks (schemas/README.md, "Arguments").
def global_id(app, model, record_id):
    return {"_aj_globalid": f"gid://{app}/{model}/{record_id}"}


def date(iso_date):
    return {"_aj_serialized": "ActiveJob::Serializers::DateSerializer", "value": iso_date}


def time_utc(moment):
    # Rails writes nine fractional digits; Python has microseconds.
    return {"_aj_serialized": "ActiveJob::Serializers::TimeSerializer",
            "value": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"}


def big_decimal(text):
    return {"_aj_serialized": "ActiveJob::Serializers::BigDecimalSerializer", "value": text}


def invoice_args():
    """The named arguments of the job: one hash, as a warren handler receives it."""
    return {
        "invoice": global_id("billing", "Invoice", 1042),
        "customer": {
            "name": "Zoë Martín",
            "tags": ["vip", "eu"],
            "address": {"city": "Sevilla", "lines": ["Calle Betis 1", "2º B"]},
        },
        "due_on": date("2024-05-31"),
        "issued_at": time_utc(datetime(2024, 5, 1, 12, 30, 45, 123000, tzinfo=timezone.utc)),
        "amount_cents": 2**53 + 1,  # beyond JavaScript's safe integers: still exact
        "ledger_entry": 2**127 - 1,  # beyond 64 bits
        "total": big_decimal("90071992547409.93"),
        "ratio": 0.1,
    }


# W3C Trace Context, version 00: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags> (ids not all zero).
TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")


def trace_headers():
    """The job's trace context headers: $TRACEPARENT (say, the span publishing the job), else a new sampled trace."""
    traceparent = os.environ.get("TRACEPARENT")
    if traceparent is None:
        traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    elif not TRACEPARENT.match(traceparent):
        sys.exit(f"TRACEPARENT {traceparent!r} is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)")
    headers = {"traceparent": traceparent}
    if os.environ.get("TRACESTATE"):
        headers["tracestate"] = os.environ["TRACESTATE"]
    return headers


def envelope(queue):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
    return {
        "job_class": "send_invoice",  # the handler name (or a job class name)
        "job_id": str(uuid.uuid4()),
        "provider_job_id": None,
        "queue_name": queue,
        "priority": None,
        "arguments": [invoice_args()],  # a handler job: exactly one hash
        "executions": 0,
        "exception_executions": {},
        "locale": "es",
        "timezone": "Europe/Madrid",
        "enqueued_at": now,
        "scheduled_at": None,
        "envelope_version": 1,
    }


def encode_protobuf(job, proto_out):
    """The same envelope as warren.envelope.v1.Envelope, with classes protoc generated."""
    sys.path.insert(0, proto_out)
    from warren.envelope.v1 import envelope_pb2 as pb

    def value(item):
        if item is None:
            return pb.Value(null_value=pb.NULL_VALUE)
        if isinstance(item, bool):
            return pb.Value(bool_value=item)
        if isinstance(item, int):
            if -2**63 <= item < 2**63:
                return pb.Value(int_value=item)
            return pb.Value(big_int_value=str(item))
        if isinstance(item, float):
            return pb.Value(double_value=item)
        if isinstance(item, str):
            return pb.Value(string_value=item)
        if isinstance(item, list):
            return pb.Value(list_value=pb.ListValue(values=[value(x) for x in item]))
        if isinstance(item, dict):
            entries = [pb.MapEntry(key=k, value=value(v)) for k, v in item.items()]
            return pb.Value(map_value=pb.MapValue(entries=entries))
        raise TypeError(f"cannot encode {type(item).__name__}")

    message = pb.Envelope(
        job_class=job["job_class"],
        job_id=job["job_id"],
        queue_name=job["queue_name"],
        arguments=[value(argument) for argument in job["arguments"]],
        executions=job["executions"],
        locale=job["locale"],
        timezone=job["timezone"],
        enqueued_at=job["enqueued_at"],
        envelope_version=job["envelope_version"],
    )
    return message.SerializeToString()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"))
    parser.add_argument("--exchange", default="warren", help="warren's default exchange")
    parser.add_argument("--queue", default="invoices", help="routing key = queue name")
    parser.add_argument("--encoding", choices=["json", "protobuf"], default="json")
    parser.add_argument("--proto-out", default="gen", help="where protoc wrote the Python classes")
    options = parser.parse_args()

    job = envelope(options.queue)
    if options.encoding == "json":
        body, content_type = json.dumps(job, ensure_ascii=False).encode("utf-8"), JSON_CONTENT_TYPE
    else:
        body, content_type = encode_protobuf(job, options.proto_out), PROTOBUF_CONTENT_TYPE

    properties = pika.BasicProperties(
        content_type=content_type,
        delivery_mode=pika.spec.PERSISTENT_DELIVERY_MODE,  # survives a broker restart
        message_id=job["job_id"],
        type=job["job_class"],
        timestamp=int(datetime.now(timezone.utc).timestamp()),
        priority=5,  # a job without priority on a queue with x-max-priority 10 (ignored by a queue without priorities)
        app_id="python-producer",
        headers=trace_headers(),  # W3C trace context (schemas/README.md, "Headers")
    )
    connection = pika.BlockingConnection(pika.URLParameters(options.url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()  # basic_publish now waits for the broker's ack
        try:
            # mandatory: a job no queue is bound for comes back instead of being dropped.
            channel.basic_publish(options.exchange, options.queue, body, properties, mandatory=True)
        except pika.exceptions.UnroutableError:
            sys.exit(f"unroutable: no queue is bound to exchange {options.exchange!r} with routing key "
                     f"{options.queue!r} (start a warren worker for it, or run `warren topology apply`)")
        except pika.exceptions.NackError:
            sys.exit("the broker refused the job (nack); publish it again")
    finally:
        connection.close()
    print(job["job_id"])


if __name__ == "__main__":
    main()
