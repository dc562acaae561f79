#!/usr/bin/env python3
"""Hand a half-done import over to warren: publish an ImportRowsJob with a continuation.

The scenario: a Python service was importing `orders.csv` (10 rows) and stopped part way, with
the file downloaded and rows 0..cursor-1 imported. It publishes the job with its progress, in
Rails 8.1's ActiveJob::Continuable keys (schemas/README.md, "Continuations (long jobs)"):

    "continuation": {"completed": ["download"], "current": ["import", <cursor>]},
    "resumptions": 1

A warren worker that registered `ImportRowsJob` (a Job with the steps `download`, `import`
and `finish`) skips `download`, resumes `import` at the cursor (`step.resumed` is true) and
runs `finish`. In that run `this.resumptions` is 2 (one from the envelope, one for this
resumption) and `this.executions` is 2.

    AMQP_URL=amqp://guest:guest@127.0.0.1:5672 /usr/bin/python3 continuation.py --queue imports --cursor 4

Prints the job id on stdout. Exits non-zero when the broker did not take the job
(unroutable: no queue bound for it; nacked; connection failure). `--bad-continuation`
publishes a malformed `current` (a step name without its cursor), which warren dead-letters.
"""
import argparse
import json
import os
import sys
import uuid
from datetime import datetime, timezone

import pika

JOB_CLASS = "ImportRowsJob"


def iso_now():
    # Rails writes nine fractional digits; Python has microseconds.
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def envelope(queue, cursor, bad_continuation):
    # The step under way: [step name, cursor]. The malformed one lacks its cursor.
    current = ["import"] if bad_continuation else ["import", cursor]
    return {
        "job_class": JOB_CLASS,
        "job_id": str(uuid.uuid4()),
        "provider_job_id": None,
        "queue_name": queue,
        "priority": None,
        "arguments": ["orders.csv", 10],  # file name, total rows
        "executions": 1,  # it ran once already, elsewhere
        "exception_executions": {},
        "locale": "en",
        "timezone": "UTC",
        "enqueued_at": iso_now(),
        "scheduled_at": None,
        "envelope_version": 1,
        # Rails 8.1's keys. Steps finished, in order; then the step in progress and its cursor,
        # which names the next unit of work (rows 0..cursor-1 are done).
        "continuation": {"completed": ["download"], "current": current},
        "resumptions": 1,  # it was interrupted (and so resumed) once before
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"))
    parser.add_argument("--exchange", default="warren", help="warren's default exchange")
    parser.add_argument("--queue", default="imports", help="routing key = queue name")
    parser.add_argument("--cursor", type=int, default=4, help="the next row to import (rows before it are done)")
    parser.add_argument("--bad-continuation", action="store_true",
                        help="send `current` without its cursor (warren dead-letters the job)")
    options = parser.parse_args()

    job = envelope(options.queue, options.cursor, options.bad_continuation)
    body = json.dumps(job, ensure_ascii=False).encode("utf-8")
    properties = pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.spec.PERSISTENT_DELIVERY_MODE,  # survives a broker restart
        message_id=job["job_id"],
        type=job["job_class"],
        timestamp=int(datetime.now(timezone.utc).timestamp()),
        priority=5,  # a job without priority on a queue with x-max-priority 10 (ignored by a queue without priorities)
        app_id="python-producer",
    )
    try:
        connection = pika.BlockingConnection(pika.URLParameters(options.url))
    except pika.exceptions.AMQPConnectionError as error:
        sys.exit(f"cannot reach the broker at {options.url}: {error!r}")
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
