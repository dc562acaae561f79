import { isKeptFloatToken } from './values/ruby-float.js';

/**
 * One pass over a JSON object text (valid JSON: JSON.parse read it): the number of keys written
 * at its top level, and whether a float token anywhere would not come back as itself from a JS number (`1.0`, `2.50`).
 */
export function scanObjectText(text: string): { keys: number; keptFloat: boolean } {
  let depth = 0;
  let keys = 0;
  let keptFloat = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    // Outside strings, "." and a digit's "e"/"E" only occur in number tokens.
    if (!keptFloat && (code === 0x2e || ((code === 0x65 || code === 0x45) && isDigit(text.charCodeAt(index - 1))))) {
      keptFloat = isKeptFloatToken(numberTokenAround(text, index));
    }
    if (code === 0x22) {
      // A string: find its closing quote (one not escaped by an odd run of backslashes).
      for (;;) {
        index = text.indexOf('"', index + 1);
        let backslashes = 0;
        while (text.charCodeAt(index - 1 - backslashes) === 0x5c) backslashes += 1;
        if (backslashes % 2 === 0) break;
      }
      if (depth === 1 && isKey(text, index + 1)) keys += 1;
    } else if (code === 0x7b || code === 0x5b) depth += 1;
    else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return { keys, keptFloat };
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The number token that contains position `index`. */
function numberTokenAround(text: string, index: number): string {
  const inToken = (code: number): boolean => isDigit(code) || code === 0x2e || code === 0x2b || code === 0x2d || code === 0x65 || code === 0x45;
  let start = index;
  while (start > 0 && inToken(text.charCodeAt(start - 1))) start -= 1;
  let end = index + 1;
  while (end < text.length && inToken(text.charCodeAt(end))) end += 1;
  return text.slice(start, end);
}

/** Whether the first non-blank character from `index` is ":" (the string before it was a key). */
function isKey(text: string, index: number): boolean {
  for (let at = index; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 0x3a) return true;
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return false;
  }
  return false;
}
