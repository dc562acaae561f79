import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SigningOptions } from '../amqp/signing.js';
import { UsageError } from './exit-codes.js';
import { collect } from './parsers.js';

/** Signed envelopes from the command line: keys are read from files, never given on the command line (ps shows it). */
export interface SigningFlags {
  signingKey?: string[];
  signWith?: string;
  allowUnsigned?: boolean;
}

export function addSigningFlags(command: Command, role: 'producer' | 'worker'): Command {
  command
    .option(
      '--signing-key <id=file>',
      role === 'worker'
        ? 'require signed envelopes, verified with the secret in <file> (its bytes, a final newline dropped) under key id <id>; repeatable for key rotation'
        : 'sign the envelope with the secret in <file> (its bytes, a final newline dropped) under key id <id>; repeatable with --sign-with',
      collect,
    )
    .option('--sign-with <id>', 'which --signing-key signs what is published (default: the only one)');
  if (role === 'worker') command.option('--allow-unsigned', 'with --signing-key: perform unsigned jobs too (a bad signature is still dead-lettered)');
  return command;
}

/** The signing options the flags describe; undefined without --signing-key. UsageError for a malformed flag or an unreadable file. */
export function signingOptions(flags: SigningFlags): SigningOptions | undefined {
  if (!flags.signingKey?.length) {
    if (flags.signWith || flags.allowUnsigned) throw new UsageError('--sign-with and --allow-unsigned need --signing-key <id=file>');
    return undefined;
  }
  const keys: Record<string, Buffer> = {};
  for (const entry of flags.signingKey) {
    const separator = entry.indexOf('=');
    if (separator <= 0 || separator === entry.length - 1) throw new UsageError(`--signing-key expects <id>=<file>, not "${entry}"`);
    const id = entry.slice(0, separator);
    const file = entry.slice(separator + 1);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new UsageError(`cannot read the signing key file "${file}": ${(error as Error).message}`);
    }
    keys[id] = bytes.at(-1) === 0x0a ? bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1) : bytes;
  }
  return {
    keys,
    ...(flags.signWith !== undefined && { signWith: flags.signWith }),
    ...(flags.allowUnsigned && { require: false }),
  };
}
