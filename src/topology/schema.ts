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
import { z } from 'zod';

/** Values an x-argument may take in a file. */
export const argumentValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const exchangeFileSchema = z
  .object({
    name: z.string(),
    /** Default: `direct`. */
    type: z.enum(['direct', 'topic', 'fanout', 'headers']).optional(),
    /** Default: true. */
    durable: z.boolean().optional(),
    arguments: z.record(argumentValueSchema).optional(),
  })
  .strict();

export const queueFileSchema = z
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

export const bindingFileSchema = z
  .object({
    exchange: z.string(),
    queue: z.string(),
    /** Default: the queue's name. */
    routingKey: z.string().optional(),
  })
  .strict();

export const jobRouteFileSchema = z.object({ exchange: z.string(), routingKey: z.string() }).strict();

export const queueRouteFileSchema = z
  .object({
    exchange: z.string(),
    /** Default: the queue's name. */
    routingKey: z.string().optional(),
  })
  .strict();

export const routesFileSchema = z
  .object({
    jobs: z.record(jobRouteFileSchema).optional(),
    queues: z.record(queueRouteFileSchema).optional(),
  })
  .strict();

export const topologyFileSchema = z
  .object({
    /** Default: DEFAULTS.amqp.exchange. */
    defaultExchange: z.string().optional(),
    exchanges: z.array(exchangeFileSchema).optional(),
    queues: z.array(queueFileSchema).optional(),
    bindings: z.array(bindingFileSchema).optional(),
    routes: routesFileSchema.optional(),
  })
  .strict();

export type TopologyFile = z.infer<typeof topologyFileSchema>;
export type QueueFileEntry = z.infer<typeof queueFileSchema>;
export type ExchangeFileEntry = z.infer<typeof exchangeFileSchema>;

/** The valid keys of the object at a key path, for "did you mean" suggestions. */
export function validKeysAt(path: readonly (string | number)[]): readonly string[] {
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
