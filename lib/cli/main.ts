#!/usr/bin/env node
import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runCli } from './run-cli.js';

// The hooks sit beside this entry (also when it is reached through node_modules/.bin). Not
// import.meta.url: lib/ is compiled to CommonJS too, where import.meta does not compile.
const typeScriptHooks = new URL('typescript-hooks.js', pathToFileURL(realpathSync(process.argv[1])));

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  typeScriptHooks,
}).then((code) => {
  process.exitCode = code;
});
