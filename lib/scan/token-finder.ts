import { CHECKSUM_LENGTH, checksumMatches } from '../token-format/checksum.js';
import { IDENTIFIER_LENGTH, MAX_NAMESPACE_LENGTH, MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from '../token-format/token-format.js';

/** A token found in text: where, and the raw token (the caller keeps its secret to itself). */
export interface FoundToken {
  /** 1-based. */
  line: number;
  rawToken: string;
  prefix: string;
}

/**
 * The rest of a token from the start of its namespace: `<namespace>_<identifier>:<secret><crc>`
 * and nothing of `[A-Za-z0-9_]` right after it. The groups are the body, the prefix and the checksum.
 */
const TOKEN_FROM_HERE = new RegExp(
  `(([A-Za-z0-9]{1,${MAX_NAMESPACE_LENGTH}}_[A-Za-z0-9]{${IDENTIFIER_LENGTH}}):` +
    `[A-Za-z0-9]{${MIN_SECRET_LENGTH},${MAX_SECRET_LENGTH}})([0-9]{${CHECKSUM_LENGTH}})(?![A-Za-z0-9_])`,
  'y',
);

/** The longest text a token can be. */
const LONGEST_TOKEN = MAX_NAMESPACE_LENGTH + 1 + IDENTIFIER_LENGTH + 1 + MAX_SECRET_LENGTH + CHECKSUM_LENGTH;

/**
 * Finds the tokens in a stream of bytes, chunk by chunk: it holds one chunk and a tail shorter than
 * a token at a time, whatever the size of the stream or the length of its lines. Only a match whose
 * checksum is right is a token; typos and look-alikes are dropped. Bytes are read as Latin-1: a
 * token is ASCII, and any other byte (UTF-8's included) is a character that cannot be part of one.
 */
export async function* findTokens(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<FoundToken> {
  let text = '';
  /** The line `text` starts on. */
  let line = 1;
  /** Where in `text` the next search starts: what lies before is done. */
  let from = 0;
  for await (const chunk of chunks) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const round = search(text, from, line, false);
    yield* round.found;
    // Before `next`, nothing can still start a token; one character is kept for the look-behind.
    const keep = Math.max(0, round.next - 1);
    line += newlines(text, 0, keep);
    text = text.slice(keep);
    from = round.next - keep;
  }
  yield* search(text, from, line, true).found;
}

/**
 * The tokens that start at or after `from`, and where the next search must start: after the last
 * match, but no later than where a token cut by the end of `text` could begin. A match that reaches
 * the end of `text` may go on in the next chunk, so it waits for it unless this is the last. Every
 * token holds a `:` after its prefix, so only the colons are looked at (`indexOf` is fast).
 */
function search(text: string, from: number, line: number, last: boolean): { found: FoundToken[]; next: number } {
  const found: FoundToken[] = [];
  let next = from;
  let counted = 0;
  for (let colon = text.indexOf(':', from); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    const start = prefixStart(text, colon);
    if (start < next) continue;
    TOKEN_FROM_HERE.lastIndex = start;
    const match = TOKEN_FROM_HERE.exec(text);
    if (!match) continue;
    const end = start + match[0].length;
    if (end === text.length && !last) return { found, next: start };
    const [rawToken, body, prefix, checksum] = match as unknown as [string, string, string, string];
    if (checksumMatches(body, checksum)) {
      line += newlines(text, counted, start);
      counted = start;
      found.push({ line, rawToken, prefix });
    }
    next = end;
    colon = end - 1;
  }
  return { found, next: Math.max(next, text.length - LONGEST_TOKEN) };
}

/**
 * Where the prefix `<namespace>_<identifier>` that ends right before `colon` starts, or -1: the
 * namespace is the whole run of letters and digits before the `_`, preceded by nothing of
 * `[A-Za-z0-9_]` (as `\b` requires).
 */
function prefixStart(text: string, colon: number): number {
  const underscore = colon - IDENTIFIER_LENGTH - 1;
  if (underscore < 1 || text.charCodeAt(underscore) !== UNDERSCORE) return -1;
  for (let index = underscore + 1; index < colon; index++) if (!isAlphanumeric(text.charCodeAt(index))) return -1;
  let start = underscore;
  while (start > 0 && underscore - start < MAX_NAMESPACE_LENGTH + 1 && isAlphanumeric(text.charCodeAt(start - 1))) start--;
  if (start === underscore) return -1;
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  return isAlphanumeric(before) || before === UNDERSCORE ? -1 : start;
}

const UNDERSCORE = 0x5f;

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function newlines(text: string, start: number, end: number): number {
  let count = 0;
  for (let index = text.indexOf('\n', start); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
