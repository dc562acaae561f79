import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { GetMessage } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configure, type Envelope, HEADERS, protobufCodec, registerLocator, type Worker } from '../../../src/index.js';
import { LedgerJob } from '../../fixtures/fault/jobs.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { envelopeFor } from '../../support/envelope.js';
import { waitFor } from '../../support/wait.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');
/** The worker's size limit in this test (small, so the oversized message stays small too). */
const LIMIT = 64 * 1024;
const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';

/** A valid JSON envelope for the target job, with `overrides`; `rawArguments` is inserted as JSON text. */
function envelopeJson(overrides: Record<string, unknown> = {}, rawArguments?: string): Buffer {
  const text = JSON.stringify({
    ...envelopeFor('set-later', { job_class: 'FaultAnyArgumentsJob' }),
    ...overrides,
    ...(rawArguments && { arguments: '@ARGS@' }),
  });
  return Buffer.from(rawArguments ? text.replace('"@ARGS@"', rawArguments) : text);
}

function protobufEnvelope(overrides: Partial<Envelope> = {}): Buffer {
  return protobufCodec.encode(envelopeFor('set-later', { job_class: 'FaultAnyArgumentsJob', ...overrides }));
}

const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const serialized = (name: string, value: unknown): string => JSON.stringify([{ _aj_serialized: name, value }]);

type Expectation = { dead: string; errorClass: string; message: RegExp } | 'performed';
const dead = (reason: string, errorClass: string, message: RegExp): Expectation => ({ dead: reason, errorClass, message });
const undecodable = (message: RegExp) => dead('undecodable', 'EnvelopeError', message);
const unknownJob = (message: RegExp) => dead('unknown-job', 'UnknownJobError', message);
const deserialization = (message: RegExp) => dead('deserialization', 'DeserializationError', message);

/** One message published raw to the worker's queue: [what, body, content type, what must happen]. One line per case. */
const cases: Array<[string, Buffer, string | undefined, Expectation]> = [
  ['a non-JSON body', Buffer.from('{not json'), JSON_TYPE, undecodable(/not valid JSON/)],
  ['a truncated JSON body', envelopeJson().subarray(0, 60), JSON_TYPE, undecodable(/not valid JSON/)],
  ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), JSON_TYPE, undecodable(/not valid UTF-8/)],
  ['a JSON array instead of an envelope', Buffer.from('[1,2,3]'), JSON_TYPE, undecodable(/must be an object/)],
  ['a truncated protobuf body', protobufEnvelope().subarray(0, 12), PROTOBUF_TYPE, undecodable(/not a protobuf envelope|missing field/)],
  ['a JSON body labelled protobuf', envelopeJson(), PROTOBUF_TYPE, undecodable(/not a protobuf envelope|missing field/)],
  ['random bytes labelled protobuf', Buffer.from('ffffffffffffffff0a0b0c', 'hex'), PROTOBUF_TYPE, undecodable(/not a protobuf envelope|missing field/)],
  ['a wrong content type', envelopeJson(), 'text/plain', undecodable(/unknown content type "text\/plain"/)],
  ['a missing content type', envelopeJson(), undefined, undecodable(/missing content type/)],
  ['a JSON body in another charset', envelopeJson(), 'application/json; charset=latin1', undecodable(/unsupported charset/)],
  ['a missing job_class', envelopeJson({ job_class: undefined }), JSON_TYPE, undecodable(/missing field job_class/)],
  ['a missing job_id', envelopeJson({ job_id: undefined }), JSON_TYPE, undecodable(/missing field job_id/)],
  ['a missing queue_name', envelopeJson({ queue_name: undefined }), JSON_TYPE, undecodable(/missing field queue_name/)],
  ['missing arguments', envelopeJson({ arguments: undefined }), JSON_TYPE, undecodable(/missing field arguments/)],
  ['a numeric job_class', envelopeJson({ job_class: 42 }), JSON_TYPE, undecodable(/job_class must be a non-empty string/)],
  [
    'a 60,000-character job_class',
    envelopeJson({ job_class: 'J'.repeat(60_000) }),
    JSON_TYPE,
    undecodable(/job_class is 60000 characters long, above the limit of 255/),
  ],
  [
    'a 50,000-character unknown serializer name',
    envelopeJson({}, serialized('S'.repeat(50_000), 1)),
    JSON_TYPE,
    deserialization(/^argument 0: unknown serializer "S{20}/),
  ],
  [
    '_aj_symbol_keys naming __proto__',
    envelopeJson({}, '[{"a": 1, "_aj_symbol_keys": ["__proto__"]}]'),
    JSON_TYPE,
    deserialization(/"_aj_symbol_keys" names "__proto__", which could reach an object prototype/),
  ],
  [
    '_aj_symbol_keys naming a missing key',
    envelopeJson({}, '[{"a": 1, "_aj_symbol_keys": ["b"]}]'),
    JSON_TYPE,
    deserialization(/"_aj_symbol_keys" names "b", which is not a key of the hash/),
  ],
  [
    '_aj_ruby2_keywords naming a missing key',
    envelopeJson({}, '[{"a": 1, "_aj_ruby2_keywords": ["b"]}]'),
    JSON_TYPE,
    deserialization(/"_aj_ruby2_keywords" names "b"/),
  ],
  [
    '_aj_globalid beside _aj_serialized',
    envelopeJson({}, '[{"_aj_globalid": "gid://app/FaultUser/1", "_aj_serialized": "ActiveJob::Serializers::SymbolSerializer", "value": "x"}]'),
    JSON_TYPE,
    deserialization(/reserved key "_aj_globalid" beside other keys/),
  ],
  [
    'a duplicate top-level key (job_class twice)',
    Buffer.from(envelopeJson().toString().replace('{', '{"job_class":"FaultLedgerJob",')),
    JSON_TYPE,
    undecodable(/not valid JSON: invalid JSON: a key appears twice at the top level/),
  ],
  [
    'a 60,000-character queue_name',
    envelopeJson({ queue_name: 'q'.repeat(60_000) }),
    JSON_TYPE,
    undecodable(/queue_name is 60000 characters long, above the limit of 255/),
  ],
  ['arguments that are an object', envelopeJson({ arguments: { a: 1 } }), JSON_TYPE, undecodable(/arguments must be an array/)],
  ['executions as a string', envelopeJson({ executions: '1' }), JSON_TYPE, undecodable(/executions must be a non-negative integer/)],
  ['a mistyped priority', envelopeJson({ priority: 'high' }), JSON_TYPE, undecodable(/priority must be an integer/)],
  ['an unparseable enqueued_at', envelopeJson({ enqueued_at: 'yesterday' }), JSON_TYPE, undecodable(/enqueued_at must be an ISO 8601/)],
  ['an unknown envelope version', envelopeJson({ envelope_version: 2 }), JSON_TYPE, undecodable(/unsupported envelope version 2/)],
  ['a fractional envelope version', envelopeJson({ envelope_version: 1.5 }), JSON_TYPE, undecodable(/envelope_version must be an integer/)],
  ['envelope fields hidden under "__proto__"', Buffer.from(`{"__proto__": ${envelopeJson().toString()}}`), JSON_TYPE, undecodable(/missing field job_class/)],
  ['an unknown job name', envelopeJson({ job_class: 'NoSuchJob' }), JSON_TYPE, unknownJob(/unknown job "NoSuchJob"/)],
  ['an unknown job name in protobuf', protobufEnvelope({ job_class: 'NoSuchJob' }), PROTOBUF_TYPE, unknownJob(/unknown job "NoSuchJob"/)],
  ['the job name "__proto__"', envelopeJson({ job_class: '__proto__' }), JSON_TYPE, unknownJob(/unknown job "__proto__"/)],
  ['the job name "constructor"', envelopeJson({ job_class: 'constructor' }), JSON_TYPE, unknownJob(/unknown job "constructor"/)],
  ['the job name "toString"', envelopeJson({ job_class: 'toString' }), JSON_TYPE, unknownJob(/unknown job "toString"/)],
  ['the job name "hasOwnProperty"', envelopeJson({ job_class: 'hasOwnProperty' }), JSON_TYPE, unknownJob(/unknown job "hasOwnProperty"/)],
  ['a "__proto__" key in arguments', envelopeJson({}, '[{"__proto__": {"polluted": true}}]'), JSON_TYPE, deserialization(/"__proto__" is refused/)],
  ['a nested "__proto__" key in arguments', envelopeJson({}, '[{"a": [{"__proto__": {"admin": true}}]}]'), JSON_TYPE, deserialization(/"__proto__"/)],
  [
    'a constructor.prototype path in arguments',
    envelopeJson({}, '[{"constructor": {"prototype": {"polluted": true}}}]'),
    JSON_TYPE,
    deserialization(/"prototype" is refused/),
  ],
  ['arguments nested 10,000 levels deep', envelopeJson({}, `[${nested(10_000)}]`), JSON_TYPE, undecodable(/nest deeper than/)],
  [
    'a body above the size limit',
    envelopeJson({}, `["${'x'.repeat(LIMIT)}"]`),
    JSON_TYPE,
    dead('too-large', 'EnvelopeError', /above the limit of 65536 bytes/),
  ],
  [
    'an array of 50,000 elements above the size limit',
    envelopeJson({}, `[[${Array(50_000).fill(1).join(',')}]]`),
    JSON_TYPE,
    dead('too-large', 'EnvelopeError', /above the limit/),
  ],
  ['an invalid GlobalID string', envelopeJson({}, '[{"_aj_globalid": "http://evil.example/User/1"}]'), JSON_TYPE, deserialization(/invalid GlobalID/)],
  ['a GlobalID without an id', envelopeJson({}, '[{"_aj_globalid": "gid://shop/FaultUser/"}]'), JSON_TYPE, deserialization(/invalid GlobalID/)],
  [
    'a GlobalID naming "__proto__" as its model',
    envelopeJson({}, '[{"_aj_globalid": "gid://shop/__proto__/1"}]'),
    JSON_TYPE,
    deserialization(/GlobalID|model/),
  ],
  ['a GlobalID of an unregistered model', envelopeJson({}, '[{"_aj_globalid": "gid://shop/Admin/1"}]'), JSON_TYPE, deserialization(/no registered locator/)],
  [
    'a GlobalID whose record does not exist',
    envelopeJson({}, '[{"_aj_globalid": "gid://shop/FaultUser/404"}]'),
    JSON_TYPE,
    deserialization(/Couldn't find FaultUser with id 404/),
  ],
  [
    'an unknown _aj_serialized name',
    envelopeJson({}, serialized('Kernel::System', 'rm -rf /')),
    JSON_TYPE,
    deserialization(/unknown serializer "Kernel::System"/),
  ],
  ['an _aj_serialized name "__proto__"', envelopeJson({}, serialized('__proto__', 1)), JSON_TYPE, deserialization(/serializer/)],
  ['an unparseable date', envelopeJson({}, serialized('ActiveJob::Serializers::DateSerializer', 'May 1st')), JSON_TYPE, deserialization(/invalid date/)],
  ['an impossible date', envelopeJson({}, serialized('ActiveJob::Serializers::DateSerializer', '2024-02-30')), JSON_TYPE, deserialization(/invalid day/)],
  ['an unparseable time', envelopeJson({}, serialized('ActiveJob::Serializers::TimeSerializer', 'noon-ish')), JSON_TYPE, deserialization(/unparseable time/)],
  [
    'an unparseable TimeWithZone',
    envelopeJson({}, serialized('ActiveJob::Serializers::TimeWithZoneSerializer', '2024-13-01T00:00:00Z')),
    JSON_TYPE,
    deserialization(/invalid ISO 8601/),
  ],
  ['an array of 5,000 elements within the size limit', envelopeJson({}, `[[${Array(5_000).fill(7).join(',')}]]`), JSON_TYPE, 'performed'],
  ['arguments nested 98 levels deep (the limit: what Ruby JSON.parse reads in an envelope)', envelopeJson({}, `[${nested(98)}]`), JSON_TYPE, 'performed'],
  ['arguments nested 99 levels deep', envelopeJson({}, `[${nested(99)}]`), JSON_TYPE, deserialization(/nested deeper than 98 levels/)],
];

describe('bad input published raw to a worker queue', () => {
  let scenario: FaultScenario;
  let queue: string;
  let worker: Worker;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const logLines: string[] = [];
  const letters = new Map<string, GetMessage>();
  const ids = cases.map(() => `bad-${randomUUID()}`);
  const deadEvents = new Map<string, { jobId: string | undefined; jobClass: string | undefined }>();

  beforeAll(async () => {
    scenario = await FaultScenario.open(url);
    queue = scenario.queue('bad');
    registerLocator('FaultUser', { find: (id) => (id === '1' ? { id } : null) });
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) }));
    worker = await scenario.startWorker({ queues: [queue], maxMessageBytes: LIMIT, concurrency: 4, logger });
    worker.events.on('job:dead', ({ messageId, jobId, jobClass }) => deadEvents.set(messageId ?? '', { jobId, jobClass }));
    for (const [index, [, body, contentType]] of cases.entries()) {
      const properties = { messageId: ids[index]!, ...(contentType !== undefined && { contentType }) };
      await scenario.probe.publish(queue, body, properties);
    }
    const expectedDead = cases.filter(([, , , expected]) => expected !== 'performed').length;
    await waitFor(
      async () => {
        for (const letter of await scenario.takeDeadLetters()) letters.set(letter.properties.messageId as string, letter);
        return letters.size >= expectedDead;
      },
      `${expectedDead} dead letters`,
      60_000,
      200,
    );
  }, 120_000);

  afterAll(async () => {
    await scenario?.cleanup();
    resetConfiguration();
  });

  it.each(cases.map((entry, index) => [entry[0], index] as const))('%s', async (_what, index) => {
    const [, body, contentType, expected] = cases[index]!;
    const id = ids[index]!;
    if (expected === 'performed') {
      await waitFor(
        () => scenario.ledger().some((entry) => entry.event === 'performed' && entry.jobId === JSON.parse(body.toString()).job_id),
        'the job to be performed',
      );
      expect(letters.has(id)).toBe(false);
      return;
    }
    const letter = letters.get(id);
    expect(letter, 'a dead letter for this message').toBeDefined();
    const headers = letter!.properties.headers ?? {};
    expect(headers[HEADERS.reason]).toBe(expected.dead);
    expect(headers[HEADERS.errorClass]).toBe(expected.errorClass);
    expect(String(headers[HEADERS.errorMessage])).toMatch(expected.message);
    expect(headers[HEADERS.originalQueue]).toBe(queue);
    expect(typeof headers[HEADERS.deadAt]).toBe('string');
    // Kept byte for byte, so it can be inspected or sent back once fixed.
    expect(letter!.content.equals(body)).toBe(true);
    // The job:dead event names the job whenever the envelope could be read (not for undecodable bodies).
    const event = deadEvents.get(id);
    expect(event, 'a job:dead event').toBeDefined();
    if (expected.dead === 'undecodable' || expected.dead === 'too-large') expect(event!.jobId).toBeUndefined();
    else expect(event!.jobId).toBe(contentType === PROTOBUF_TYPE ? protobufCodec.decode(body).job_id : (JSON.parse(body.toString()) as Envelope).job_id);
  });

  it('writes no huge log line, whatever the message carried (every value from a message is bounded)', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const longest = Math.max(...logLines.map((line) => line.length));
    expect(longest).toBeLessThan(16_384);
  });

  it('keeps the worker running: it performs the next job, crashed nowhere and left Object.prototype untouched', async () => {
    configure({ adapter: scenario.producer() });
    const next = await LedgerJob.set({ queue }).performLater('after the bad input');
    await waitFor(() => scenario.ledger().some((entry) => entry.jobId === next.jobId && entry.event === 'performed'), 'the next job');
    expect(worker.inFlightCount).toBe(0);
    expect(await scenario.probe.messageCount(queue)).toBe(0);
    expect(logLines.join('')).not.toMatch(/unexpected error/);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(letters.size).toBe(cases.filter(([, , , expected]) => expected !== 'performed').length);
  });
});
