import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTokens, type FoundToken } from '../../lib/scan/token-finder.js';
import { buildToken, generateToken } from '../../lib/token-format/token-format.js';
import { OTHER_VENDOR_KEYS } from '../support/other-vendor-keys.js';

/** The text cut at the given places, as the chunks of a stream. */
function chunked(text: string, cuts: number[]): Readable {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].filter((at) => at > 0 && at < text.length).sort((a, b) => a - b)) {
    chunks.push(Buffer.from(text.slice(start, cut), 'latin1'));
    start = cut;
  }
  chunks.push(Buffer.from(text.slice(start), 'latin1'));
  return Readable.from(chunks);
}

async function found(text: string, cuts: number[] = []): Promise<FoundToken[]> {
  const tokens: FoundToken[] = [];
  for await (const token of findTokens(chunked(text, cuts))) tokens.push(token);
  return tokens;
}

/** A token whose checksum is wrong in its last digit. */
const typo = (rawToken: string) => rawToken.slice(0, -1) + String((Number(rawToken.at(-1)) + 1) % 10);

describe('findTokens', () => {
  it('finds tokens of any namespace with their line, and drops a wrong checksum', async () => {
    const [a, b, c] = [generateToken('tok', 32), generateToken('myApp2', 16), generateToken('k', 256)];
    const text = `first line\nKEY=${a.rawToken}\r\n\n"${b.rawToken}", '${typo(a.rawToken)}' ${c.rawToken}`;
    expect(await found(text)).toEqual([
      { line: 2, rawToken: a.rawToken, prefix: a.prefix },
      { line: 4, rawToken: b.rawToken, prefix: b.prefix },
      { line: 4, rawToken: c.rawToken, prefix: c.prefix },
    ]);
  });

  it('finds nothing in other vendors’ secrets, nor in a token glued to other characters', async () => {
    const { rawToken } = generateToken('tok', 32);
    const glued = [`x${rawToken}`, `_${rawToken}`, `${rawToken}7`, `${rawToken}_`, `${rawToken}a`];
    expect(await found([...OTHER_VENDOR_KEYS.map((key) => key.value), ...glued].join('\n'))).toEqual([]);
  });

  it('finds the same tokens whatever the chunks the stream comes in, lines of any length included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 16, max: 256 }), fc.string({ maxLength: 40 })), {
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 3_000 }),
        fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 40 }),
        async (plants, padding, cuts) => {
          let text = '';
          const expected: FoundToken[] = [];
          for (const [newlines, secretLength, filler] of plants) {
            const { rawToken, prefix } = generateToken('tok', secretLength);
            // Filler never runs into the token: a space on each side.
            text += `${'\n'.repeat(newlines)}${filler.replace(/[A-Za-z0-9_:]/g, '.')}${'x'.repeat(padding)} `;
            expected.push({ line: text.split('\n').length, rawToken, prefix });
            text += `${rawToken} `;
          }
          expect(await found(text, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds a token cut anywhere by the chunk boundaries, down to one byte a chunk', async () => {
    const { rawToken, prefix } = generateToken('tok', 40);
    // Digits in the middle of a secret: cut after them, the text so far ends like a whole token.
    const digits = buildToken(prefix, `${'A'.repeat(16)}1234567${'B'.repeat(10)}`);
    const glued = `${buildToken(prefix, 'C'.repeat(20))}x`;
    const text = `a: ${rawToken}\n${digits} ${glued} ${buildToken(prefix, 'Z'.repeat(16))}`;
    const everyByte = Array.from({ length: text.length }, (_, index) => index);
    const expected = [
      [1, rawToken],
      [2, digits],
      [2, buildToken(prefix, 'Z'.repeat(16))],
    ];
    expect((await found(text)).map((token) => [token.line, token.rawToken])).toEqual(expected);
    expect((await found(text, everyByte)).map((token) => [token.line, token.rawToken])).toEqual(expected);
    for (let cut = 0; cut < text.length; cut++) {
      expect(
        (await found(text, [cut])).map((token) => token.rawToken),
        `cut at ${cut}`,
      ).toEqual(expected.map(([, token]) => token));
    }
  });
});
