/** What the leak endpoint does with a token a report names with its right secret. */
export type LeakAction = 'revoke' | 'notify';

/** A public key of the reporter, in the form GitHub publishes its `public_keys`. */
export interface LeakReporterKey {
  key_identifier: string;
  /** PEM (`-----BEGIN PUBLIC KEY-----`) of an ECDSA P-256 key. */
  key: string;
}

/** Options of `KeysmithLeakModule.forRoot()`. All are optional. */
export interface KeysmithLeakOptions {
  /** Where the endpoint answers `POST`, below any global prefix. Default `'/keysmith/leaks'`. */
  path?: string;
  /** The reporter's public keys, instead of `publicKeysUrl`. Default none. */
  publicKeys?: LeakReporterKey[];
  /**
   * Where to fetch the reporter's public keys (`{ public_keys: [{ key_identifier, key }] }`).
   * Default GitHub's, `'https://api.github.com/meta/public_keys/secret_scanning'`.
   */
  publicKeysUrl?: string;
  /** How long fetched keys are used before they are fetched again, in seconds. Default `3600`. */
  publicKeysCacheSeconds?: number;
  /** `'revoke'` the token, or only `'notify'` (the event and the audit row). Default `'revoke'`. */
  action?: LeakAction;
  /** Largest report accepted, in bytes; a larger one gets 400. Default `65536`. */
  maxBodyBytes?: number;
}

/** One line of the answer to a report, in GitHub's secret scanning feedback format. */
export interface LeakFeedback {
  /** SHA-256 of the reported token, in hex. */
  token_hash: string;
  /** The report's `type` for the token. */
  token_type: string;
  /** `true_positive`: a token of this application with its right secret; `false_positive`: anything else. */
  label: 'true_positive' | 'false_positive';
}
