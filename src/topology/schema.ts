/**
 * The shape of a topology file (YAML or JSON; camelCase keys).
 *
 * Why zod and not ajv (both are dependencies): the file format is written once, here, and
 * the TypeScript types are inferred from it, so the parser and the types cannot drift apart;
 * `.strict()` objects report unknown keys (our "did you mean" messages start from those);
 * every issue carries the key path we need to name in messages. ajv would need a JSON Schema
 * plus hand-written types kept in step. The schema checks shapes and types only; ranges and
 * cross-references (maxPriority 1..255, bindings to declared exchanges...) are checked on the
 * normalized topology by validate.ts, so topologies built in code get the same checks.
 */
import { createRequire } from 'node:module';
import type { z as Zod } from 'zod';

/** Built on first use: zod is loaded when a topology file is parsed, not by every process that imports warren. */
function buildSchemas(z: typeof Zod) {
  /** Values an x-argument may take in a file. */
  const argumentValueSchema = z.union([z.string(), z.number(), z.boolean()]);

  const exchangeFileSchema = z
    .object({
      name: z.string(),
      /** Default: `direct`. */
      type: z.enum(['direct', 'topic', 'fanout', 'headers']).optional(),
      /** Default: true. */
      durable: z.boolean().optional(),
      arguments: z.record(argumentValueSchema).optional(),
    })
    .strict();

  const queueFileSchema = z
    .object({
      name: z.string(),
      /** Default: `classic`. */
      type: z.enum(['classic', 'quorum']).optional(),
      /** Default: true. */
      durable: z.boolean().optional(),
      maxPriority: z.number().optional(),
      /** Milliseconds. */
      messageTtl: z.number().optional(),
      deadLetterExchange: z.string().optional(),
      deadLetterRoutingKey: z.string().optional(),
      /** Milliseconds. */
      consumerTimeout: z.number().optional(),
      deliveryLimit: z.number().optional(),
      arguments: z.record(argumentValueSchema).optional(),
      /** Default: a worker without a queue list consumes the queue when it is a job queue (see jobQueues). */
      consume: z.boolean().optional(),
    })
    .strict();

  const bindingFileSchema = z
    .object({
      exchange: z.string(),
      queue: z.string(),
      /** Default: the queue's name. */
      routingKey: z.string().optional(),
    })
    .strict();

  const jobRouteFileSchema = z.object({ exchange: z.string(), routingKey: z.string() }).strict();

  const queueRouteFileSchema = z
    .object({
      exchange: z.string(),
      /** Default: the queue's name. */
      routingKey: z.string().optional(),
    })
    .strict();

  const routesFileSchema = z
    .object({
      jobs: z.record(jobRouteFileSchema).optional(),
      queues: z.record(queueRouteFileSchema).optional(),
    })
    .strict();

  const topologyFileSchema = z
    .object({
      /** Default: DEFAULTS.amqp.exchange. */
      defaultExchange: z.string().optional(),
      /**
       * The type of the queues listed without `type` (in every file merged with this one) and of
       * the queues warren adds itself (job queues on first use, the dead-letter queue). Default: `classic`.
       */
      queueType: z.enum(['classic', 'quorum']).optional(),
      exchanges: z.array(exchangeFileSchema).optional(),
      queues: z.array(queueFileSchema).optional(),
      bindings: z.array(bindingFileSchema).optional(),
      routes: routesFileSchema.optional(),
      /** Recurring jobs: read by loadSchedules (`warren worker --schedule`), not by the topology loader. */
      schedules: z.unknown().optional(),
    })
    .strict();

  return { exchangeFileSchema, queueFileSchema, bindingFileSchema, jobRouteFileSchema, queueRouteFileSchema, routesFileSchema, topologyFileSchema };
}

type FileSchemas = ReturnType<typeof buildSchemas>;
let schemas: FileSchemas | undefined;

/** The schemas of a topology file (zod is loaded on the first call). */
export function fileSchemas(): FileSchemas {
  schemas ??= buildSchemas((createRequire(import.meta.url)('zod') as typeof import('zod')).z);
  return schemas;
}

export type TopologyFile = Zod.infer<FileSchemas['topologyFileSchema']>;
export type QueueFileEntry = Zod.infer<FileSchemas['queueFileSchema']>;
export type ExchangeFileEntry = Zod.infer<FileSchemas['exchangeFileSchema']>;

/** The valid keys of the object at a key path, for "did you mean" suggestions. */
export function validKeysAt(path: readonly (string | number)[]): readonly string[] {
  const { topologyFileSchema, exchangeFileSchema, queueFileSchema, bindingFileSchema, routesFileSchema, jobRouteFileSchema, queueRouteFileSchema } =
    fileSchemas();
  const [section] = path;
  if (path.length === 0) return Object.keys(topologyFileSchema.shape);
  if (path.length === 2 && section === 'exchanges') return Object.keys(exchangeFileSchema.shape);
  if (path.length === 2 && section === 'queues') return Object.keys(queueFileSchema.shape);
  if (path.length === 2 && section === 'bindings') return Object.keys(bindingFileSchema.shape);
  if (path.length === 1 && section === 'routes') return Object.keys(routesFileSchema.shape);
  if (path.length === 3 && section === 'routes' && path[1] === 'jobs') return Object.keys(jobRouteFileSchema.shape);
  if (path.length === 3 && section === 'routes' && path[1] === 'queues') return Object.keys(queueRouteFileSchema.shape);
  return [];
}
