/**
 * Turns a token secret into the string stored in the `key` column, and checks a secret against it.
 *
 * Implement it to bring your own algorithm (pass an instance as the `hasher` option). The module
 * stores every hash as `<algorithm>$<what hash() returned>`, so the algorithm that made a hash is
 * always the one that verifies it, whatever `hasher` is configured later.
 */
export abstract class TokenHasher {
  /** Stored in front of every hash. Lowercase letters, digits and `_`; not a built-in name. */
  abstract readonly algorithm: string;

  /** Hashes a secret. Must not block the event loop for long: hash asynchronously. */
  abstract hash(secret: string): Promise<string>;

  /** Checks a secret against a value `hash()` returned. Compare in constant time. */
  abstract verify(secret: string, hash: string): Promise<boolean>;

  /**
   * Whether a value `hash()` returned was made with other settings than this hasher's now (a lower
   * bcrypt cost, fewer iterations). Such a hash is made again on the token's next successful
   * verification. Default: never.
   */
  needsRehash(_hash: string): boolean {
    return false;
  }
}
