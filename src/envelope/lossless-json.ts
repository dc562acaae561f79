import type { JsonValue } from './envelope.js';
import { scanObjectText } from './json-object-scan.js';
import { isKeptFloatToken, RubyFloat } from './values/ruby-float.js';

/**
 * JSON for untrusted bodies without losing big integers. Ruby writes any Integer as
 * bare digits; JSON.parse would round those beyond Number.MAX_SAFE_INTEGER. Bodies are
 * read with the native JSON.parse; only when the result holds an integer beyond the safe
 * range is the text read again by a small iterative parser that reads unsafe integers as
 * bigint. Both define keys as own data properties (a "__proto__" key never changes a
 * prototype) and neither recurses, so nesting cannot overflow the stack.
 */

export class JsonSyntaxError extends SyntaxError {}

/** Parses JSON text; integers outside the safe range become bigint. Throws JsonSyntaxError. */
export function parseJson(text: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new JsonSyntaxError(`invalid JSON${position ? ` at position ${position}` : ''}`);
  }
  const scan = typeof value === 'object' && value !== null && !Array.isArray(value) ? scanObjectText(text) : undefined;
  // A float token JS would write differently (Ruby 1.0, 2.50) keeps its text in the arguments: read by the lossless parser.
  const parsed = scan?.keptFloat || holdsUnsafeInteger(value) ? new LosslessParser(text).parse() : value;
  // JSON.parse keeps the last of two equal keys, and readers differ on which one wins: a top-level
  // key written twice (a second job_class, say) is refused. Nested ones the lossless parser refuses.
  if (scan && scan.keys !== Object.keys(parsed as object).length) {
    throw new JsonSyntaxError('invalid JSON: a key appears twice at the top level');
  }
  return parsed;
}

/**
 * Whether JSON.parse's result holds an integer beyond 2^53 (rounded), or a number it could
 * not hold at all (Infinity: a literal of 309 digits or more). Iterative.
 */
function holdsUnsafeInteger(root: JsonValue): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) && (Number.isInteger(value) || !Number.isFinite(value))) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) pending.push((value as Record<string, unknown>)[key]);
    }
  }
  return false;
}

type Frame = { array: JsonValue[] } | { object: { [key: string]: JsonValue }; key: string | undefined };

/** The top-level frame while the value of an envelope's "arguments" is being read. */
function isArgumentsFrame(frame: Frame | undefined): boolean {
  return frame !== undefined && 'object' in frame && frame.key === 'arguments';
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class LosslessParser {
  #pos = 0;
  constructor(private readonly text: string) {}

  #fail(what: string): never {
    throw new JsonSyntaxError(`invalid JSON at position ${this.#pos}: ${what}`);
  }

  #skipWhitespace(): void {
    WHITESPACE.lastIndex = this.#pos;
    WHITESPACE.test(this.text);
    this.#pos = WHITESPACE.lastIndex;
  }

  parse(): JsonValue {
    const stack: Frame[] = [];
    let result: JsonValue | undefined;
    let done = false;
    // Each turn reads one value (or closes containers) and attaches it to the frame on top.
    while (!done) {
      this.#skipWhitespace();
      const top = stack[stack.length - 1];
      if (top && 'object' in top && top.key === undefined) {
        // Expecting a key (or "}" right after "{").
        // "}" can only follow "{" here: after a "," the next key was already checked.
        if (this.text[this.#pos] === '}') {
          this.#pos += 1;
          stack.pop();
          ({ done, result } = this.#attach(stack, top.object, result));
          continue;
        }
        if (this.text[this.#pos] !== '"') this.#fail('expected a string key');
        top.key = this.#string();
        // JSON.parse keeps the last of two equal keys; a conforming writer never writes two, and
        // which one a reader keeps differs between readers: refused.
        if (Object.hasOwn(top.object, top.key)) this.#fail(`duplicate key ${JSON.stringify(top.key.slice(0, 64))}`);
        this.#skipWhitespace();
        if (this.text[this.#pos] !== ':') this.#fail('expected ":"');
        this.#pos += 1;
        continue;
      }
      const char = this.text[this.#pos];
      let value: JsonValue;
      if (char === '{') {
        this.#pos += 1;
        stack.push({ object: {}, key: undefined });
        continue;
      } else if (char === '[') {
        this.#pos += 1;
        this.#skipWhitespace();
        if (this.text[this.#pos] === ']') {
          this.#pos += 1;
          value = [];
        } else {
          stack.push({ array: [] });
          continue;
        }
      } else if (char === '"') value = this.#string();
      else if (char === 't' && this.text.startsWith('true', this.#pos)) {
        this.#pos += 4;
        value = true;
      } else if (char === 'f' && this.text.startsWith('false', this.#pos)) {
        this.#pos += 5;
        value = false;
      } else if (char === 'n' && this.text.startsWith('null', this.#pos)) {
        this.#pos += 4;
        value = null;
      } else value = this.#number(stack);
      ({ done, result } = this.#attach(stack, value, result));
    }
    this.#skipWhitespace();
    if (this.#pos !== this.text.length) this.#fail('unexpected text after the value');
    return result as JsonValue;
  }

  /** Adds a finished value to the container on top, then closes every container that ends here. */
  #attach(stack: Frame[], value: JsonValue, result: JsonValue | undefined): { done: boolean; result: JsonValue | undefined } {
    let current = value;
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) return { done: true, result: current };
      if ('array' in top) top.array.push(current);
      else {
        Object.defineProperty(top.object, top.key as string, { value: current, enumerable: true, writable: true, configurable: true });
        top.key = undefined;
      }
      this.#skipWhitespace();
      const char = this.text[this.#pos];
      if (char === ',') {
        this.#pos += 1;
        if ('array' in top) {
          this.#skipWhitespace();
          if (this.text[this.#pos] === ']') this.#fail('trailing comma');
        } else {
          this.#skipWhitespace();
          if (this.text[this.#pos] !== '"') this.#fail('expected a string key');
        }
        return { done: false, result };
      }
      if (char === ('array' in top ? ']' : '}')) {
        this.#pos += 1;
        stack.pop();
        current = 'array' in top ? top.array : top.object;
        continue;
      }
      this.#fail(`expected "," or "${'array' in top ? ']' : '}'}"`);
    }
  }

  #string(): string {
    const start = this.#pos;
    let end = start + 1;
    let escaped = false;
    for (;;) {
      const code = this.text.charCodeAt(end);
      if (Number.isNaN(code)) this.#fail('unterminated string');
      if (code === 0x22) break;
      if (code < 0x20) this.#fail('control character in a string');
      if (code === 0x5c) {
        escaped = true;
        end += 2;
        continue;
      }
      end += 1;
    }
    this.#pos = end + 1;
    if (!escaped) return this.text.slice(start + 1, end);
    try {
      return JSON.parse(this.text.slice(start, end + 1)) as string;
    } catch {
      this.#pos = start;
      return this.#fail('invalid escape in a string');
    }
  }

  #number(stack: readonly Frame[]): JsonValue {
    NUMBER.lastIndex = this.#pos;
    const match = NUMBER.exec(this.text);
    if (!match || match[0].length === 0) this.#fail('unexpected character');
    const token = match[0];
    this.#pos += token.length;
    const number = Number(token);
    const integerToken = match[1] === undefined && match[2] === undefined;
    if (integerToken && !Number.isSafeInteger(number)) return BigInt(token);
    // In an envelope's arguments, a float JS would write differently keeps its text (a retry writes it back as is).
    if (!integerToken && isArgumentsFrame(stack[0]) && isKeptFloatToken(token)) return new RubyFloat(number, token) as unknown as JsonValue;
    return number;
  }
}

/**
 * JSON text for an envelope; a bigint is written as bare digits (Ruby reads an Integer), a
 * RubyFloat as its text (`1.0`; pass `holdsRubyFloats` when the value may hold one).
 * Non-finite numbers are refused rather than silently written as null.
 */
export function stringifyJson(value: unknown, holdsRubyFloats = false): string {
  // JSON.stringify cannot write 1.0: a value holding a RubyFloat goes through warren's writer.
  if (holdsRubyFloats) return writeWithBigInts(value);
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    return writeWithBigInts(value);
  }
}

function writeWithBigInts(value: unknown): string {
  const parts: string[] = [];
  const write = (item: unknown): void => {
    if (item === null) parts.push('null');
    else if (typeof item === 'bigint') parts.push(item.toString());
    else if (item instanceof RubyFloat) parts.push(item.text);
    else if (typeof item === 'number') {
      if (!Number.isFinite(item)) throw new TypeError('cannot write a non-finite number as JSON');
      parts.push(JSON.stringify(item));
    } else if (typeof item === 'string' || typeof item === 'boolean') parts.push(JSON.stringify(item));
    else if (Array.isArray(item)) {
      parts.push('[');
      item.forEach((element, index) => {
        if (index > 0) parts.push(',');
        write(element === undefined ? null : element);
      });
      parts.push(']');
    } else if (typeof item === 'object') {
      parts.push('{');
      let first = true;
      for (const key of Object.keys(item)) {
        const element = (item as Record<string, unknown>)[key];
        if (element === undefined || typeof element === 'function') continue;
        if (!first) parts.push(',');
        first = false;
        parts.push(JSON.stringify(key), ':');
        write(element);
      }
      parts.push('}');
    } else throw new TypeError(`cannot write ${typeof item} as JSON`);
  };
  write(value);
  return parts.join('');
}
