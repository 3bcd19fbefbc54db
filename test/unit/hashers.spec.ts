import { pbkdf2Sync, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BcryptHasher, Pbkdf2Sha512Hasher, Sha256Hasher, TokenHasher } from '../../lib/index.js';
import { HasherRegistry } from '../../lib/hashing/hasher-registry.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';

const scryptAsync = promisify(scrypt) as (secret: string, salt: Buffer, keyLength: number, options: ScryptOptions) => Promise<Buffer>;
const SCRYPT_OPTIONS: ScryptOptions = { N: 1024 };

const SECRET = 'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa';
const OTHER_SECRET = 'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sb';

// Written by django-keysmith (Django's PBKDF2PasswordHasher with digest sha512). Computed with
//   python3 -c "import hashlib, base64; print(base64.b64encode(hashlib.pbkdf2_hmac('sha512',
//   b'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa', b'kT3sV9qLm2Xw8Zr4Np7Yb1', 20000)).decode())"
const DJANGO_PBKDF2_HASH =
  'pbkdf2_sha512$20000$kT3sV9qLm2Xw8Zr4Np7Yb1$' +
  'MeeqtDfXgYc65NGuLZZRec2zMdQlPkM22xEK3hYXonO1+SzO/YgMueg8OjTdMiHHNK3XWa2FtnzedYrx11NFdw==';

// python3 -c "import hmac, hashlib; print(hmac.new(b'pepper-from-settings',
//   b'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa', hashlib.sha256).hexdigest())"
const PEPPER = 'pepper-from-settings';
const HMAC_WITH_PEPPER = 'c86583cb4c3db7ef8a2dedeccc11460a2a0feb629c1db0e6c64f97608aeacde2';
// The same with an empty key: hmac.new(b'', ...).
const HMAC_WITHOUT_PEPPER = '84d06efe6bfeff5dfa267cd3db64421e6af17a4fd979eda733155af53bf22e55';

/** A user-supplied hasher (scrypt) that counts its calls. */
class ScryptHasher extends TokenHasher {
  readonly algorithm = 'scrypt';
  hashCalls = 0;
  verifyCalls = 0;

  async hash(secret: string): Promise<string> {
    this.hashCalls++;
    const salt = randomBytes(16);
    return `${salt.toString('hex')}$${(await scryptAsync(secret, salt, 32, SCRYPT_OPTIONS)).toString('hex')}`;
  }

  async verify(secret: string, hash: string): Promise<boolean> {
    this.verifyCalls++;
    const [salt, expected] = hash.split('$');
    if (!salt || !expected) return false;
    const actual = await scryptAsync(secret, Buffer.from(salt, 'hex'), 32, SCRYPT_OPTIONS);
    const stored = Buffer.from(expected, 'hex');
    return stored.length === actual.length && timingSafeEqual(stored, actual);
  }
}

const builtIns = () => [new BcryptHasher(4), new Pbkdf2Sha512Hasher(1_000), new Sha256Hasher(PEPPER)];
const HASH_CONCURRENCY = 4;

describe('BcryptHasher', () => {
  const hasher = new BcryptHasher(4);

  it('is named bcrypt', () => {
    expect(hasher.algorithm).toBe('bcrypt');
  });

  it('hashes asynchronously into a salted $2b$ hash of the configured cost', async () => {
    const pending = hasher.hash(SECRET);
    expect(pending).toBeInstanceOf(Promise);
    const hash = await pending;
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(await hasher.hash(SECRET)).not.toBe(hash);
  });

  it('verifies the secret it hashed and refuses any other', async () => {
    const hash = await hasher.hash(SECRET);
    expect(await hasher.verify(SECRET, hash)).toBe(true);
    expect(await hasher.verify(OTHER_SECRET, hash)).toBe(false);
    expect(await hasher.verify('', hash)).toBe(false);
  });

  it('reads the cost from the stored hash, not from its own setting', async () => {
    const hashAtCost5 = await new BcryptHasher(5).hash(SECRET);
    expect(hashAtCost5.startsWith('$2b$05$')).toBe(true);
    expect(await hasher.verify(SECRET, hashAtCost5)).toBe(true);
  });

  it.each(['', 'garbage', '$2b$04$short', '$2b$99$abcdefghijklmnopqrstuv1234567890123456789012345678901'])(
    'returns false for the malformed stored hash %j',
    async (stored) => {
      expect(await hasher.verify(SECRET, stored)).toBe(false);
    },
  );
});

describe('Pbkdf2Sha512Hasher', () => {
  const hasher = new Pbkdf2Sha512Hasher(1_000);

  it('is named pbkdf2_sha512', () => {
    expect(hasher.algorithm).toBe('pbkdf2_sha512');
  });

  it('writes `<iterations>$<salt>$<base64>` as Django does: 64-byte PBKDF2-HMAC-SHA512 of the salt as text', async () => {
    const hash = await hasher.hash(SECRET);
    const match = /^1000\$([A-Za-z0-9]{22})\$([A-Za-z0-9+/]{86}==)$/.exec(hash);
    expect(match).not.toBeNull();
    const [, salt, digest] = match!;
    expect(digest).toBe(pbkdf2Sync(SECRET, salt, 1_000, 64, 'sha512').toString('base64'));
    expect(await hasher.hash(SECRET)).not.toBe(hash);
  });

  it('verifies the secret it hashed and refuses any other', async () => {
    const hash = await hasher.hash(SECRET);
    expect(await hasher.verify(SECRET, hash)).toBe(true);
    expect(await hasher.verify(OTHER_SECRET, hash)).toBe(false);
  });

  it('verifies a hash written by django-keysmith, at the iterations the hash names', async () => {
    const stored = DJANGO_PBKDF2_HASH.slice('pbkdf2_sha512$'.length);
    expect(await hasher.verify(SECRET, stored)).toBe(true);
    expect(await new Pbkdf2Sha512Hasher(600_000).verify(SECRET, stored)).toBe(true);
    expect(await hasher.verify(OTHER_SECRET, stored)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['a bare word', 'garbage'],
    ['only separators', '$$'],
    ['no digest', '1000$salt'],
    ['an empty digest', '1000$salt$'],
    ['an empty salt', '1000$$abcd'],
    ['zero iterations', '0$salt$abcd'],
    ['negative iterations', '-5$salt$abcd'],
    ['fractional iterations', '1.5$salt$abcd'],
    ['non-numeric iterations', 'NaN$salt$abcd'],
    ['more iterations than PBKDF2 accepts', '99999999999$salt$abcd'],
    ['a digest that is not base64', '1000$salt$!!!!'],
  ])('returns false, never throws, for a malformed stored hash (%s)', async (_case, stored) => {
    await expect(hasher.verify(SECRET, stored)).resolves.toBe(false);
  });

  it('returns false for a django-keysmith hash with anything appended', async () => {
    const stored = DJANGO_PBKDF2_HASH.slice('pbkdf2_sha512$'.length);
    await expect(hasher.verify(SECRET, `${stored}$extra`)).resolves.toBe(false);
    await expect(hasher.verify(SECRET, ` ${stored}`)).resolves.toBe(false);
  });
});

describe('Sha256Hasher', () => {
  it('is named sha256', () => {
    expect(new Sha256Hasher().algorithm).toBe('sha256');
  });

  it('stores the hex HMAC-SHA256 of the secret keyed with the pepper', async () => {
    expect(await new Sha256Hasher(PEPPER).hash(SECRET)).toBe(HMAC_WITH_PEPPER);
    expect(await new Sha256Hasher().hash(SECRET)).toBe(HMAC_WITHOUT_PEPPER);
  });

  it('verifies a known digest and refuses another secret', async () => {
    const hasher = new Sha256Hasher(PEPPER);
    expect(await hasher.verify(SECRET, HMAC_WITH_PEPPER)).toBe(true);
    expect(await hasher.verify(OTHER_SECRET, HMAC_WITH_PEPPER)).toBe(false);
  });

  it('refuses a hash made with a different pepper, or with none', async () => {
    expect(await new Sha256Hasher('another-pepper').verify(SECRET, HMAC_WITH_PEPPER)).toBe(false);
    expect(await new Sha256Hasher().verify(SECRET, HMAC_WITH_PEPPER)).toBe(false);
    expect(await new Sha256Hasher(PEPPER).verify(SECRET, HMAC_WITHOUT_PEPPER)).toBe(false);
  });

  it.each(['', 'zz', 'not hex at all', HMAC_WITH_PEPPER.slice(0, 62)])('returns false for the malformed stored hash %j', async (stored) => {
    await expect(new Sha256Hasher(PEPPER).verify(SECRET, stored)).resolves.toBe(false);
  });
});

describe('HasherRegistry', () => {
  it('stores `<algorithm>$<hash>` with the configured hasher', async () => {
    const [bcrypt, pbkdf2, sha256] = builtIns();
    expect(await new HasherRegistry(bcrypt, builtIns(), HASH_CONCURRENCY).hash(SECRET)).toMatch(/^bcrypt\$\$2b\$04\$/);
    expect(await new HasherRegistry(pbkdf2, builtIns(), HASH_CONCURRENCY).hash(SECRET)).toMatch(/^pbkdf2_sha512\$1000\$[A-Za-z0-9]{22}\$/);
    expect(await new HasherRegistry(sha256, builtIns(), HASH_CONCURRENCY).hash(SECRET)).toBe(`sha256$${HMAC_WITH_PEPPER}`);
  });

  it('verifies a hash made under another configured hasher, by the tag it carries', async () => {
    const [bcrypt, pbkdf2, sha256] = builtIns();
    const bcryptStored = await new HasherRegistry(bcrypt, builtIns(), HASH_CONCURRENCY).hash(SECRET);
    const pbkdf2Stored = await new HasherRegistry(pbkdf2, builtIns(), HASH_CONCURRENCY).hash(SECRET);

    const now = new HasherRegistry(sha256, builtIns(), HASH_CONCURRENCY);
    expect(await now.verify(SECRET, bcryptStored)).toBe(true);
    expect(await now.verify(SECRET, pbkdf2Stored)).toBe(true);
    expect(await now.verify(OTHER_SECRET, bcryptStored)).toBe(false);
    expect(await now.verify(OTHER_SECRET, pbkdf2Stored)).toBe(false);
  });

  it('verifies a hash written by django-keysmith', async () => {
    const registry = new HasherRegistry(new BcryptHasher(4), builtIns(), HASH_CONCURRENCY);
    expect(await registry.verify(SECRET, DJANGO_PBKDF2_HASH)).toBe(true);
    expect(await registry.verify(OTHER_SECRET, DJANGO_PBKDF2_HASH)).toBe(false);
  });

  it('hashes and verifies with a custom TokenHasher', async () => {
    const scrypt = new ScryptHasher();
    const registry = new HasherRegistry(scrypt, builtIns(), HASH_CONCURRENCY);
    const stored = await registry.hash(SECRET);
    expect(stored).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(await registry.verify(SECRET, stored)).toBe(true);
    expect(await registry.verify(OTHER_SECRET, stored)).toBe(false);
    expect(scrypt.verifyCalls).toBe(2);
  });

  it('still verifies built-in hashes while a custom hasher is configured', async () => {
    const bcryptStored = await new HasherRegistry(new BcryptHasher(4), builtIns(), HASH_CONCURRENCY).hash(SECRET);
    const registry = new HasherRegistry(new ScryptHasher(), builtIns(), HASH_CONCURRENCY);
    expect(await registry.verify(SECRET, bcryptStored)).toBe(true);
  });

  it.each([
    ['an unknown tag', `argon2$${HMAC_WITH_PEPPER}`],
    ['a custom tag this registry was not given', 'scrypt$00$00'],
    ['no tag', HMAC_WITH_PEPPER],
    ['an empty tag', `$${HMAC_WITH_PEPPER}`],
    ['a tag in the wrong case', `SHA256$${HMAC_WITH_PEPPER}`],
    ['an empty string', ''],
  ])('returns false for a stored hash with %s', async (_case, stored) => {
    const registry = new HasherRegistry(new Sha256Hasher(PEPPER), builtIns(), HASH_CONCURRENCY);
    expect(await registry.verify(SECRET, `sha256$${HMAC_WITH_PEPPER}`)).toBe(true);
    await expect(registry.verify(SECRET, stored)).resolves.toBe(false);
  });

  it('verifyDecoy does the work of exactly one verification with the configured hasher, and proves nothing', async () => {
    const scrypt = new ScryptHasher();
    const registry = new HasherRegistry(scrypt, builtIns(), HASH_CONCURRENCY);

    await expect(registry.verifyDecoy(SECRET)).resolves.toBeUndefined();
    expect(scrypt.verifyCalls).toBe(1);

    await registry.verifyDecoy(SECRET);
    await registry.verifyDecoy(OTHER_SECRET);
    expect(scrypt.verifyCalls).toBe(3);
    // The decoy hash is made once and reused, so later decoys cost a verification only.
    expect(scrypt.hashCalls).toBe(1);
  });

  it('runs at most hashConcurrency hasher calls at once: hashes, verifications and decoys alike', { timeout: 5_000 }, async () => {
    const slow = new SlowCountingHasher();
    const registry = new HasherRegistry(slow, builtIns(), 2);
    const stored = await registry.hash(SECRET);

    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => registry.hash(SECRET)),
      ...Array.from({ length: 3 }, () => registry.verify(SECRET, stored)),
      ...Array.from({ length: 3 }, () => registry.verifyDecoy(SECRET)),
    ]);

    expect(results.slice(3, 6)).toEqual([true, true, true]);
    expect(slow.mostRunning).toBe(2);
    // The first hash, three more, and the decoy's one.
    expect(slow.hashes).toBe(5);
    expect(slow.verifications).toBe(6);
  });

  it('makes the decoy and verifies against it under a limit of 1, never waiting on itself', { timeout: 5_000 }, async () => {
    const slow = new SlowCountingHasher();
    const registry = new HasherRegistry(slow, builtIns(), 1);

    await Promise.all([registry.verifyDecoy(SECRET), registry.verifyDecoy(OTHER_SECRET), registry.hash(SECRET)]);

    expect(slow.mostRunning).toBe(1);
    expect(slow.hashes).toBe(2);
    expect(slow.verifications).toBe(2);
  });

  it('frees the slot of a hasher call that failed', { timeout: 5_000 }, async () => {
    const failing = new ScryptHasher();
    failing.verify = () => Promise.reject(new Error('the hasher broke'));
    const registry = new HasherRegistry(failing, builtIns(), 1);
    const stored = await registry.hash(SECRET);

    await expect(registry.verify(SECRET, stored)).rejects.toThrow('the hasher broke');
    expect(await registry.hash(SECRET)).toMatch(/^scrypt\$/);
  });
});
