import { settings } from '../config/configuration.js';

/**
 * GlobalID references (`gid://<app>/<Model>/<id>`), as Ruby's globalid gem writes them:
 * the id is escaped like `CGI.escape` (space as "+"), composite ids are several escaped
 * parts joined by "/", and optional params follow as a query string.
 */

/** Ruby constant names ("User", "Admin::User"); dotted names are allowed for other languages. */
const MODEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:(?:::|\.)[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Host-like app names, as URI::GID accepts them ("shop", "my-app", "billing.internal"). */
const APP_NAME = /^[A-Za-z0-9._~-]+$/;
const GID_TEXT = /^gid:\/\/([^/?#]*)\/([^/?#]*)\/([^?#]*)(?:\?([^#]*))?$/;

export function isValidModelName(name: string): boolean {
  return typeof name === 'string' && name.length <= 256 && MODEL_NAME.test(name);
}

/** Ruby's CGI.escape: everything but letters, digits and "_.-~" is %-escaped; space becomes "+". */
export function cgiEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Ruby's CGI.unescape; undefined for malformed %-escapes. */
export function cgiUnescape(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** An identifier of one record: `gid://shop/User/42`. */
export class GlobalId {
  readonly app: string;
  readonly modelName: string;
  /** The record id (unescaped). For a composite id, its parts joined by "/". */
  readonly modelId: string;
  /** The id's parts: one for an ordinary id, several for a composite primary key. */
  readonly modelIds: readonly string[];
  readonly params: Readonly<Record<string, string>>;

  private constructor(app: string, modelName: string, modelIds: readonly string[], params: Record<string, string>) {
    this.app = app;
    this.modelName = modelName;
    this.modelIds = Object.freeze([...modelIds]);
    this.modelId = modelIds.join('/');
    this.params = Object.freeze(params);
  }

  /**
   * A GlobalID for a record; `app` defaults to `settings().globalIdApp` (DEFAULTS.globalIdApp).
   * Throws RangeError for an invalid model name or app, or an empty id ("maybe it was not saved?").
   */
  static create(
    modelName: string,
    id: string | number | bigint | readonly (string | number | bigint)[],
    options: { app?: string; params?: Readonly<Record<string, string>> } = {},
  ): GlobalId {
    const app = options.app ?? settings().globalIdApp;
    const parts: readonly unknown[] = Array.isArray(id) ? id : [id];
    // A record not saved yet has a null id: String(null) would make "gid://app/User/null".
    const missing = parts.some(
      (part) => part === null || part === undefined || (typeof part !== 'string' && typeof part !== 'number' && typeof part !== 'bigint'),
    );
    const ids = missing ? [''] : parts.map((part) => String(part));
    const reason = invalidReason(app, modelName, ids);
    if (reason) throw new RangeError(`cannot create a GlobalID with ${reason}`);
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.params ?? {})) params[key] = String(value);
    return new GlobalId(app, modelName, ids, params);
  }

  /** Parses `gid://app/Model/id`; throws RangeError with the reason when the text is not a GlobalID. */
  static parse(text: string): GlobalId {
    const result = GlobalId.tryParse(text);
    if (typeof result === 'string') throw new RangeError(result);
    return result;
  }

  /** Parses `gid://app/Model/id`; returns the reason (a string) when the text is not a GlobalID. */
  static tryParse(text: unknown): GlobalId | string {
    if (typeof text !== 'string') return 'a GlobalID must be a string';
    // Reasons name the part that is wrong, never the text itself: it may be any argument data.
    if (text.length > 2048) return 'a GlobalID is longer than 2048 characters';
    const match = GID_TEXT.exec(text);
    if (!match) return 'not a GlobalID (expected gid://<app>/<Model>/<id>)';
    const [, app = '', modelName = '', rawId = '', query] = match;
    const ids = rawId.split('/').map(cgiUnescape);
    if (ids.some((id) => id === undefined)) return 'a GlobalID with a malformed %-escape in its id';
    const reason = invalidReason(app, modelName, ids as string[]);
    if (reason) return `a GlobalID with ${reason}`;
    const params: Record<string, string> = {};
    if (query) {
      for (const [key, value] of new URLSearchParams(query)) {
        if (key !== '__proto__') params[key] = value;
      }
    }
    return new GlobalId(app, modelName, ids as string[], params);
  }

  /** Lets a GlobalId itself be passed as an argument: it travels as a reference and arrives as the record. */
  toGlobalId(): GlobalId {
    return this;
  }

  toString(): string {
    const query = new URLSearchParams(this.params).toString();
    return `gid://${this.app}/${this.modelName}/${this.modelIds.map(cgiEscape).join('/')}${query ? `?${query}` : ''}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function invalidReason(app: string, modelName: string, ids: readonly string[]): string | undefined {
  if (!APP_NAME.test(app)) return 'an invalid app name';
  if (!isValidModelName(modelName)) return 'an invalid model name';
  if (ids.length === 0 || ids.some((id) => id.length === 0)) return `no id for ${modelName} (maybe the record was not saved?)`;
  return undefined;
}

/** Anything that identifies a record: Active Record's GlobalID::Identification in JS. */
export interface GlobalIdentification {
  toGlobalId(): GlobalId | string;
}

export function isGlobalIdentification(value: object): value is GlobalIdentification {
  return typeof (value as { toGlobalId?: unknown }).toGlobalId === 'function';
}
