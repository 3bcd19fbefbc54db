// Builds the package twice: ESM in dist/esm and CommonJS in dist/cjs, which gets a package.json
// of its own so that Node reads its .js files as CommonJS.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (project) => execFileSync('npx', ['tsc', '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
tsc('tsconfig.build.json');
tsc('tsconfig.build.cjs.json');
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// The `keysmith` command line starts from the ES module build: its entry keeps the shebang of
// lib/cli/main.ts and becomes executable, as package.json's `bin` needs. It opens a CommonJS data
// source with dist/cjs/cli, whose entities are the ones such a file loads.
chmodSync('dist/esm/cli/main.js', 0o755);

// The sample imports the package by its name, which resolves to the dist just built.
rmSync('sample/dist', { recursive: true, force: true });
tsc('sample/tsconfig.json');
