import { describe, expect, it } from 'vitest';
import { InvalidTokenError, TokenAuthError, type InvalidTokenReason } from '../../lib/index.js';
import { BASE62_ALPHABET, buildToken, generateToken, parseToken, randomBase62, tokenChecksum } from '../../lib/token-format/index.js';

// Known answers computed with Python's zlib while writing this test:
//   python3 -c "import zlib; print('%06d' % (zlib.crc32(b'<body>') % 10**6))"
const KNOWN_BODY = 'tok_ab12CD34:Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa'; // crc32 1064420104
const KNOWN_CRC = '420104';
const KNOWN_TOKEN = KNOWN_BODY + KNOWN_CRC;

const SECRET = 'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa';
const BASE62_ONLY = /^[0-9A-Za-z]+$/;

function rejectionOf(rawToken: unknown): InvalidTokenError {
  try {
    parseToken(rawToken);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error(`parseToken accepted ${JSON.stringify(rawToken)}`);
}

function expectRejected(rawToken: unknown, reason: InvalidTokenReason): void {
  expect(rejectionOf(rawToken).reason).toBe(reason);
}

/** A token whose checksum is right for its body, so only its shape can reject it. */
const withValidChecksum = (body: string): string => body + tokenChecksum(body);

describe('tokenChecksum', () => {
  it('is CRC-32 of the body modulo 10^6, as zlib computes it', () => {
    expect(tokenChecksum(KNOWN_BODY)).toBe(KNOWN_CRC);
  });

  it('treats the CRC as unsigned and zero-pads it to 6 digits', () => {
    // zlib.crc32 = 2910000768 (above 2^31, negative if read as signed) -> 000768
    expect(tokenChecksum('tok_Pad01424:0123456789abcdefXYZ')).toBe('000768');
    // zlib.crc32 = 693000024 -> 000024
    expect(tokenChecksum('myapp_Zero4700:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345')).toBe('000024');
  });

  it('hashes the UTF-8 bytes of the body', () => {
    // zlib.crc32('tök_...'.encode('utf-8')) = 913523266; Latin-1 bytes would give 570565
    expect(tokenChecksum('tök_ab12CD34:Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa')).toBe('523266');
  });
});

describe('buildToken', () => {
  it('appends the checksum of `<prefix>:<secret>`', () => {
    expect(buildToken('tok_ab12CD34', SECRET)).toBe(KNOWN_TOKEN);
  });
});

describe('parseToken', () => {
  it('splits a token into namespace, identifier, prefix and secret', () => {
    expect(parseToken(KNOWN_TOKEN)).toEqual({
      namespace: 'tok',
      identifier: 'ab12CD34',
      prefix: 'tok_ab12CD34',
      secret: SECRET,
    });
  });

  it('accepts a token whose checksum starts with zeros', () => {
    expect(parseToken('tok_Pad01424:0123456789abcdefXYZ000768').secret).toBe('0123456789abcdefXYZ');
  });

  it('accepts secrets of 16 to 256 characters and namespaces of up to 32', () => {
    expect(parseToken(buildToken('tok_ab12CD34', 'a'.repeat(16))).secret).toBe('a'.repeat(16));
    expect(parseToken(buildToken('tok_ab12CD34', 'a'.repeat(256))).secret).toBe('a'.repeat(256));
    expect(parseToken(buildToken(`${'n'.repeat(32)}_ab12CD34`, SECRET)).namespace).toBe('n'.repeat(32));
  });

  it('rejects with an InvalidTokenError, a TokenAuthError with code invalid_token', () => {
    const error = rejectionOf('');
    expect(error).toBeInstanceOf(TokenAuthError);
    expect(error.code).toBe('invalid_token');
    expect(error.token).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['a placeholder word', 'undefined'],
    ['longer than 512 characters', 'a'.repeat(513)],
    ['a valid token with 500 characters appended', KNOWN_TOKEN + 'a'.repeat(500)],
  ])('rejects %s as malformed', (_case, rawToken) => {
    expectRejected(rawToken, 'malformed');
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 420104],
    ['an object', { token: KNOWN_TOKEN }],
    ['an array', [KNOWN_TOKEN]],
    ['a Buffer of a valid token', Buffer.from(KNOWN_TOKEN)],
  ])('rejects a non-string (%s) as malformed', (_case, rawToken) => {
    expectRejected(rawToken, 'malformed');
  });

  it.each([
    ['a secret of 15 characters', 'tok_ab12CD34:' + 'a'.repeat(15)],
    ['a secret of 257 characters', 'tok_ab12CD34:' + 'a'.repeat(257)],
    ['a namespace of 33 characters', `${'n'.repeat(33)}_ab12CD34:${SECRET}`],
    ['an empty namespace', `_ab12CD34:${SECRET}`],
    ['an empty secret', 'tok_ab12CD34:'],
    ['a missing "_"', `tokab12CD34:${SECRET}`],
    ['a missing ":"', `tok_ab12CD34${SECRET}`],
    ['an extra ":"', `tok_ab12CD34:${SECRET}:extra`],
    ['a doubled ":"', `tok_ab12CD34::${SECRET}`],
    ['an identifier of 7 characters', `tok_ab12CD3:${SECRET}`],
    ['an identifier of 9 characters', `tok_ab12CD345:${SECRET}`],
    ['a namespace containing "_"', `my_app_ab12CD34:${SECRET}`],
    ['a namespace containing "-"', `my-app_ab12CD34:${SECRET}`],
    ['a "-" in the secret', `tok_ab12CD34:${SECRET.slice(0, 16)}-${SECRET.slice(17)}`],
    ['a "+" and "/" in the secret (base64, not base62)', `tok_ab12CD34:Xy7Qp2Lm9Rt4Vw8Z+/3Nb6Hc1Jd5Fg0Sa`],
    ['a non-ASCII letter', `tök_ab12CD34:${SECRET}`],
    ['a Cyrillic "а" that looks like a Latin "a"', `tok_\u0430b12CD34:${SECRET}`],
    ['a fullwidth digit', `tok_ab12CD34:Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc\uFF11Jd5Fg0Sa`],
    ['a NUL byte', `tok_ab12CD34:Xy7Qp2Lm9Rt4\u0000Vw8Zk3Nb6Hc1Jd5Fg0Sa`],
    ['a DEL character', `tok_ab12CD34:Xy7Qp2Lm9Rt4\u007FVw8Zk3Nb6Hc1Jd5Fg0Sa`],
    ['a zero-width space', `tok_ab12CD34:Xy7Qp2Lm9Rt4\u200BVw8Zk3Nb6Hc1Jd5Fg0Sa`],
    ['an embedded newline', `tok_ab12CD34:Xy7Qp2Lm9Rt4\nVw8Zk3Nb6Hc1Jd5Fg0Sa`],
  ])('rejects %s as malformed, even with a matching checksum', (_case, body) => {
    expectRejected(withValidChecksum(body), 'malformed');
  });

  it.each([
    ['a leading space', ` ${KNOWN_TOKEN}`],
    ['a trailing space', `${KNOWN_TOKEN} `],
    ['a trailing newline', `${KNOWN_TOKEN}\n`],
    ['a trailing CRLF', `${KNOWN_TOKEN}\r\n`],
    ['a leading tab', `\t${KNOWN_TOKEN}`],
    ['a "Bearer " scheme', `Bearer ${KNOWN_TOKEN}`],
  ])('rejects a token with %s as malformed', (_case, rawToken) => {
    expectRejected(rawToken, 'malformed');
  });

  it('rejects a token without its checksum, or with a 5-digit one, as malformed', () => {
    expectRejected(KNOWN_BODY, 'malformed');
    expectRejected(KNOWN_BODY + KNOWN_CRC.slice(0, 5), 'malformed');
  });

  it('rejects a token whose last six digits do not match as a checksum mismatch', () => {
    expectRejected(`${KNOWN_BODY}420105`, 'checksum_mismatch');
    expectRejected(`${KNOWN_BODY}000000`, 'checksum_mismatch');
  });

  it('rejects every single-character change of a valid token as a checksum mismatch', () => {
    let changes = 0;
    for (let i = 0; i < KNOWN_TOKEN.length; i++) {
      const original = KNOWN_TOKEN[i];
      if (original === '_' || original === ':') continue;
      const inChecksum = i >= KNOWN_TOKEN.length - 6;
      for (const replacement of inChecksum ? '0123456789' : BASE62_ALPHABET) {
        if (replacement === original) continue;
        const changed = KNOWN_TOKEN.slice(0, i) + replacement + KNOWN_TOKEN.slice(i + 1);
        expect(rejectionOf(changed).reason, changed).toBe('checksum_mismatch');
        changes++;
      }
    }
    expect(changes).toBe((3 + 8 + 32) * 61 + 6 * 9);
  });

  it('rejects two swapped neighbouring characters as a checksum mismatch', () => {
    const swapped = KNOWN_TOKEN.replace('Xy7Q', 'yX7Q');
    expectRejected(swapped, 'checksum_mismatch');
  });
});

describe('generateToken', () => {
  it('builds `<namespace>_<8 base62>:<secret><6-digit crc>` that parses back to its parts', () => {
    const generated = generateToken('myapp', 32);
    expect(generated.rawToken).toMatch(/^myapp_[0-9A-Za-z]{8}:[0-9A-Za-z]{32}[0-9]{6}$/);
    expect(generated.prefix).toBe(`myapp_${generated.identifier}`);
    expect(generated.rawToken).toBe(buildToken(generated.prefix, generated.secret));
    const { rawToken, ...parts } = generated;
    expect(parseToken(rawToken)).toEqual(parts);
  });

  it.each([16, 32, 64, 256])('makes a secret of the requested length (%i)', (secretLength) => {
    const generated = generateToken('tok', secretLength);
    expect(generated.secret).toHaveLength(secretLength);
    expect(generated.rawToken).toHaveLength('tok_'.length + 8 + 1 + secretLength + 6);
    expect(parseToken(generated.rawToken).secret).toBe(generated.secret);
  });

  it('never repeats a token, prefix or secret over 10,000 draws, and uses only base62', () => {
    const draws = Array.from({ length: 10_000 }, () => generateToken('tok', 32));
    expect(new Set(draws.map((d) => d.rawToken)).size).toBe(draws.length);
    expect(new Set(draws.map((d) => d.prefix)).size).toBe(draws.length);
    expect(new Set(draws.map((d) => d.secret)).size).toBe(draws.length);
    for (const draw of draws) {
      expect(draw.identifier).toMatch(BASE62_ONLY);
      expect(draw.secret).toMatch(BASE62_ONLY);
    }
  });
});

describe('randomBase62', () => {
  it.each([0, 1, 8, 32, 257, 1000])('returns exactly %i base62 characters', (length) => {
    const value = randomBase62(length);
    expect(value).toHaveLength(length);
    expect(value).toMatch(/^[0-9A-Za-z]*$/);
  });

  it('draws every character about equally often', () => {
    const draws = 100_000;
    const counts = new Map<string, number>();
    for (const character of randomBase62(draws)) counts.set(character, (counts.get(character) ?? 0) + 1);

    expect([...counts.keys()].sort().join('')).toBe([...BASE62_ALPHABET].sort().join(''));
    const expected = draws / 62;
    const chiSquare = [...counts.values()].reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 61 degrees of freedom: mean 61, standard deviation 11, so 200 is beyond any honest draw,
    // while a plain `byte % 62` (8 characters 25% more likely) scores about 650.
    expect(chiSquare).toBeLessThan(200);
  });
});
