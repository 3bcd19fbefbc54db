import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/** One entry point of `exports`: its declarations and code for `import` and for `require`. */
interface ExportEntry {
  import: { types: string; default: string };
  require: { types: string; default: string };
}

/** The fields of package.json these tests read. */
interface Manifest {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, ExportEntry | string>;
  typesVersions: Record<string, Record<string, string[]>>;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

/** Peers only some applications need: each is imported only by an entry point or a code path of its own. */
const OPTIONAL_PEERS = [
  'ioredis',
  '@nestjs/throttler',
  '@nestjs/graphql',
  '@nestjs/apollo',
  '@apollo/server',
  'graphql',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
  '@nestjs/event-emitter',
  '@nestjs/passport',
  '@nestjs/microservices',
  'graphql-ws',
];
const REQUIRED_PEERS = ['@nestjs/common', '@nestjs/core', '@nestjs/typeorm', 'typeorm', 'reflect-metadata', 'rxjs'];

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? builtFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
  );
}

const packageName = (specifier: string): string => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
};

/** Package names of every static and dynamic import of the built library (types are gone there). */
function importedPackages(): Set<string> {
  const names = new Set<string>();
  const specifiers = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g;
  for (const file of builtFiles(join(root, 'dist/esm'))) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(specifiers)) names.add(packageName(specifier));
  }
  return names;
}

/**
 * Packages an ES module entry loads as soon as it is imported: its static imports, followed
 * through the package's own files (a dynamic `import()` runs only when its code path does).
 */
function staticallyLoadedPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const statements = source.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm);
    for (const statement of statements) {
      const specifier = statement[1] ?? statement[2];
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(packageName(specifier));
    }
  };
  visit(join(root, entry));
  return packages;
}

/** What an optional peer itself depends on (the Socket.IO platform needs `@nestjs/websockets`). */
function peerOf(peer: string): string[] {
  const peerManifest = JSON.parse(readFileSync(join(root, 'node_modules', peer, 'package.json'), 'utf8')) as Record<
    'dependencies' | 'peerDependencies',
    Record<string, string> | undefined
  >;
  return Object.keys({ ...peerManifest.dependencies, ...peerManifest.peerDependencies });
}

/** Packages a CommonJS entry has in `require.cache` once required, in a fresh Node process. */
function requiredPackages(entry: string): string[] {
  const script = `require(${JSON.stringify(join(root, entry))});
    const names = new Set(Object.keys(require.cache).map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file.slice(${JSON.stringify(root)}.length))?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names]));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as string[];
}

describe('package.json', () => {
  it('declares every package the built library imports as a dependency or a peer dependency', () => {
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    // The package's own name is a self-reference through its `exports`, not a dependency.
    const external = [...importedPackages()].filter(
      (name) => !name.startsWith('node:') && !builtinModules.includes(name) && name !== manifest.name,
    );
    expect(external.length).toBeGreaterThan(3);
    expect(external.filter((name) => !declared.has(name))).toEqual([]);
  });

  it('marks the peers only some applications need as optional, and only those', () => {
    for (const optional of OPTIONAL_PEERS) {
      expect(manifest.peerDependencies[optional], optional).toBeTruthy();
      expect(manifest.peerDependenciesMeta?.[optional], optional).toEqual({ optional: true });
    }
    for (const required of REQUIRED_PEERS) {
      expect(manifest.peerDependencies[required], required).toBeTruthy();
      expect(manifest.peerDependenciesMeta?.[required], required).toBeUndefined();
    }
    // Every other peer is one only some applications need.
    const others = Object.keys(manifest.peerDependencies).filter((name) => !REQUIRED_PEERS.includes(name));
    expect(others.filter((name) => manifest.peerDependenciesMeta?.[name]?.optional !== true)).toEqual([]);
  });

  it('keeps every optional peer out of what importing or requiring the package root loads', () => {
    const esm = staticallyLoadedPackages('dist/esm/index.js');
    expect([...esm]).toEqual(expect.arrayContaining(['@nestjs/common', 'typeorm', 'bcrypt']));
    expect([...esm].filter((name) => OPTIONAL_PEERS.includes(name))).toEqual([]);

    const cjs = requiredPackages('dist/cjs/index.js');
    expect(cjs).toEqual(expect.arrayContaining(['@nestjs/common', 'typeorm', 'bcrypt']));
    expect(cjs.filter((name) => OPTIONAL_PEERS.includes(name))).toEqual([]);
  });

  it.each([
    ['throttler', '@nestjs/throttler'],
    ['passport', '@nestjs/passport'],
    ['socket.io', '@nestjs/platform-socket.io'],
  ])('loads its optional peer only through the nestjs-keysmith/%s entry point, and no other', (entry, peer) => {
    const esm = [...staticallyLoadedPackages(`dist/esm/${entry}.js`)];
    expect(esm).toContain(peer);
    expect(esm.filter((name) => OPTIONAL_PEERS.includes(name) && name !== peer && !peerOf(peer).includes(name))).toEqual([]);
    expect(requiredPackages(`dist/cjs/${entry}.js`)).toContain(peer);
  });

  it('gives nestjs-keysmith/graphql-ws types from graphql-ws, and loads no optional peer with it', () => {
    expect([...staticallyLoadedPackages('dist/esm/graphql-ws.js')].filter((name) => OPTIONAL_PEERS.includes(name))).toEqual([]);
    expect(requiredPackages('dist/cjs/graphql-ws.js').filter((name) => OPTIONAL_PEERS.includes(name))).toEqual([]);
    expect(readFileSync(join(root, 'dist/esm/graphql/keysmith-graphql-ws.d.ts'), 'utf8')).toMatch(/from ['"]graphql-ws['"]/);
  });

  it('loads @nestjs/microservices only when a message is refused, through a dynamic import', () => {
    expect(importedPackages()).toContain('@nestjs/microservices');
    for (const entry of ['index', 'throttler', 'passport', 'socket.io', 'graphql-ws']) {
      expect([...staticallyLoadedPackages(`dist/esm/${entry}.js`)], entry).not.toContain('@nestjs/microservices');
    }
  });

  it('exports types beside both module formats for every entry point, and typesVersions maps each subpath', () => {
    const entries = Object.entries(manifest.exports).filter(([subpath]) => subpath !== './package.json');
    expect(entries.map(([subpath]) => subpath)).toEqual(
      expect.arrayContaining(['.', './throttler', './passport', './socket.io', './graphql-ws']),
    );
    for (const [subpath, entry] of entries as [string, ExportEntry][]) {
      const base = /^\.\/dist\/esm\/(.+)\.js$/.exec(entry.import?.default ?? '')?.[1];
      expect(base, `${subpath}: import.default is not a .js file of dist/esm`).toBeDefined();
      expect(entry.import, subpath).toEqual({ types: `./dist/esm/${base}.d.ts`, default: `./dist/esm/${base}.js` });
      expect(entry.require, subpath).toEqual({ types: `./dist/cjs/${base}.d.ts`, default: `./dist/cjs/${base}.js` });
      for (const target of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
        expect(existsSync(join(root, target)), `${subpath}: ${target} is not built`).toBe(true);
      }
      // TypeScript's CommonJS (node10) resolution reads no `exports`: `typesVersions` stands in for subpaths.
      if (subpath !== '.') expect(manifest.typesVersions['*'][subpath.slice(2)], subpath).toEqual([entry.require.types]);
    }
  });

  it('keeps runtime dependencies to the few the library imports', () => {
    const dependencies = Object.keys(manifest.dependencies);
    expect(dependencies).toContain('bcrypt');
    // bcrypt, class-transformer, class-validator, lru-cache, ipaddr.js; commander and pirates for the command line.
    expect(dependencies.length).toBeLessThanOrEqual(7);
    const imported = importedPackages();
    expect(dependencies.filter((name) => !imported.has(name))).toEqual([]);
  });
});

describe('the npm pack --dry-run listing', () => {
  let files: { path: string }[] | undefined;
  const listing = (): { path: string }[] => {
    if (files) return files;
    const stdout = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    return (files = (JSON.parse(stdout.slice(stdout.indexOf('['))) as { files: { path: string }[] }[])[0].files);
  };

  it('holds no tests, sample, benchmarks or sources, and no file that looks like a secret', () => {
    const paths = listing().map((file) => file.path);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((file) => /(^|\/)(test|tests|__tests__|sample|bench|lib|scripts|fixtures)\//.test(file))).toEqual([]);
    expect(paths.filter((file) => /\.(spec|test|e2e-spec)\.[cm]?[jt]s$/.test(file))).toEqual([]);
    const secretNames =
      /(^|\/)(\.env(\..*)?|\.npmrc|\.netrc|id_(rsa|ed25519|ecdsa)|credentials(\.json)?)$|\.(pem|key|p12|pfx|sqlite|sqlite3|db)$/i;
    expect(paths.filter((file) => secretNames.test(file))).toEqual([]);
  });

  it('ships no raw token, private key or credential URL in its built files', () => {
    const rawToken = /\b[A-Za-z0-9]{1,32}_[A-Za-z0-9]{8}:[A-Za-z0-9]{16,256}\d{6}\b/;
    const privateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
    const credentialUrl = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"`]+:[^\s/@'"`]+@/i;
    const built = listing().filter((file) => file.path.startsWith('dist/'));
    expect(built.length).toBeGreaterThan(20);
    const leaks = built.filter((file) => {
      const text = readFileSync(join(root, file.path), 'utf8');
      return rawToken.test(text) || privateKey.test(text) || credentialUrl.test(text);
    });
    expect(leaks.map((file) => file.path)).toEqual([]);
  });
});
