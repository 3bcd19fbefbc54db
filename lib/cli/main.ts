#!/usr/bin/env node
import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runCli } from './run-cli.js';

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  output: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  stdin: process.stdin,
  // Where this file really is, also when reached through node_modules/.bin. Not import.meta.url:
  // lib/ is compiled to CommonJS too, where import.meta does not compile.
  entry: pathToFileURL(realpathSync(process.argv[1])),
}).then((code) => {
  process.exitCode = code;
});
