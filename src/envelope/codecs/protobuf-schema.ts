import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { packageFile } from '../../support/package-info.js';
import { MAX_WIRE_NESTING } from './limits.js';

/**
 * The path of the package's own schemas/warren/envelope/v1/envelope.proto, from which the
 * envelope's protobuf types are parsed at first use: the .proto stays the single source of truth.
 */
export function envelopeProtoPath(): string {
  return packageFile('schemas', 'warren', 'envelope', 'v1', 'envelope.proto');
}

/**
 * protobufjs refuses messages nested deeper than 100 levels by default. One JSON level
 * of arguments is up to three message levels (Value -> MapValue -> MapEntry), so the
 * limit is raised (never lowered) to fit MAX_WIRE_NESTING. The setting is process-wide.
 */
const NEEDED_RECURSION_LIMIT = 3 * MAX_WIRE_NESTING + 8;

export interface EnvelopeTypes {
  readonly root: protobuf.Root;
  readonly envelope: protobuf.Type;
  readonly value: protobuf.Type;
}

let types: EnvelopeTypes | undefined;

/**
 * protobufjs is loaded on first use (it is large; docs/performance.md): a process that only reads and
 * writes JSON never loads it. It is a CommonJS package, so require keeps this synchronous.
 */
export function envelopeTypes(): EnvelopeTypes {
  if (!types) {
    const protobuf = createRequire(import.meta.url)('protobufjs') as typeof import('protobufjs');
    const root = protobuf.parse(readFileSync(envelopeProtoPath(), 'utf8'), { keepCase: true }).root;
    protobuf.util.recursionLimit = Math.max(protobuf.util.recursionLimit, NEEDED_RECURSION_LIMIT);
    protobuf.Reader.recursionLimit = Math.max(protobuf.Reader.recursionLimit, NEEDED_RECURSION_LIMIT);
    types = {
      root,
      envelope: root.lookupType('warren.envelope.v1.Envelope'),
      value: root.lookupType('warren.envelope.v1.Value'),
    };
  }
  return types;
}
