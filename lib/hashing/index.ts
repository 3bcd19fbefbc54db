export * from './bcrypt.hasher.js';
export * from './hasher-registry.js';
export * from './pbkdf2-sha512.hasher.js';
export * from './sha256.hasher.js';
