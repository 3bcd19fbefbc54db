import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateToken } from '../../lib/token-format/token-format.js';
import { OTHER_VENDOR_KEYS } from '../support/other-vendor-keys.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's section on leak reports, up to the next section. */
function leakSection(): string {
  const start = README.indexOf('\n## Leak reports (GitHub secret scanning)\n');
  expect(start, 'README has its leak reports section').toBeGreaterThan(0);
  return README.slice(start, README.indexOf('\n## ', start + 1));
}

/** The one line of the section's ```regex block: the expression scanners are given. */
function readmeExpression(): string {
  const block = /\n```regex\n(.+)\n```\n/.exec(leakSection());
  expect(block, 'the section has a ```regex block of one line').not.toBeNull();
  return block![1];
}

/** Where a token may stand in a file: each puts it between other characters. */
const SETTINGS: Array<(token: string) => string> = [
  (token) => token,
  (token) => `KEYSMITH_TOKEN=${token}`,
  (token) => `const token = '${token}';`,
  (token) => `{"token":"${token}","name":"ci"}`,
  (token) => `curl -H "X-KEYSMITH-TOKEN: ${token}" https://api.example.test`,
  (token) => `https://api.example.test/v1/ping?keysmith_token=${token}&x=1`,
  (token) => `  token: ${token}\n  other: value`,
  (token) => `(${token})`,
];

describe('the README expression for scanners', () => {
  const expression = readmeExpression();
  const matches = (text: string) => [...text.matchAll(new RegExp(expression, 'g'))].map((match) => match[0]);

  it('finds every generated token, whole, wherever it stands', () => {
    for (const secretLength of [16, 17, 32, 64, 72, 255, 256]) {
      for (let round = 0; round < 25; round++) {
        const { rawToken } = generateToken('tok', secretLength);
        for (const setting of SETTINGS) expect(matches(setting(rawToken)), setting(rawToken)).toEqual([rawToken]);
      }
    }
  });

  it('finds each of several tokens on one line', () => {
    const tokens = Array.from({ length: 3 }, () => generateToken('tok', 32).rawToken);
    expect(matches(tokens.join(' '))).toEqual(tokens);
  });

  it('matches nothing in a corpus of other vendors’ secrets and look-alike text', () => {
    const found = OTHER_VENDOR_KEYS.flatMap(({ vendor, value }) => SETTINGS.map((setting) => [vendor, matches(setting(value))] as const));
    expect(found.filter(([, hits]) => hits.length > 0)).toEqual([]);
    expect(OTHER_VENDOR_KEYS.length).toBeGreaterThan(25);
  });

  it('is the expression of the gitleaks rule and of the trufflehog detector', () => {
    const section = leakSection();
    expect(section).toContain(`regex = '''${expression}'''`);
    expect(section).toContain(`token: '${expression}'`);
  });
});
