import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Folders never entered: dependencies, and git's own store (scan history with `git log -p | keysmith scan -`). */
export const SKIPPED_FOLDERS: readonly string[] = ['node_modules', '.git'];

/** Bytes read at a time. */
const CHUNK_BYTES = 64 * 1024;
/** A NUL byte among a file's first bytes makes it binary, as git decides. */
const BINARY_SNIFF_BYTES = 8_000;

/** Something to scan: a file, or standard input (`-`). */
export interface ScanSource {
  /** As the user gave it, joined with the path inside a folder. */
  name: string;
  /** The bytes, chunk by chunk; `null` for a binary file, which is not read further. */
  open(): Promise<AsyncIterable<Buffer | string> | null>;
}

/**
 * The files under `paths`, folders walked depth first in name order (skipping `SKIPPED_FOLDERS`
 * and symbolic links inside them), and `-` as standard input. A path that does not exist throws.
 */
export async function* scanSources(
  paths: readonly string[],
  cwd: string,
  stdin: AsyncIterable<Buffer | string>,
): AsyncGenerator<ScanSource> {
  for (const path of paths) {
    if (path === '-') {
      yield { name: '-', open: () => Promise.resolve(stdin) };
      continue;
    }
    const stats = await lstat(join(cwd, path)).catch(() => null);
    if (!stats) throw new Error(`no such file or folder: ${path}`);
    if (stats.isDirectory()) yield* folderSources(cwd, path);
    else yield fileSource(cwd, path);
  }
}

async function* folderSources(cwd: string, folder: string): AsyncGenerator<ScanSource> {
  const entries = (await readdir(join(cwd, folder), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.includes(entry.name)) yield* folderSources(cwd, path);
    else if (entry.isFile()) yield fileSource(cwd, path);
  }
}

function fileSource(cwd: string, name: string): ScanSource {
  return { name, open: () => textChunks(join(cwd, name)) };
}

/** The file's chunks, or `null` when its first bytes hold a NUL. */
async function textChunks(file: string): Promise<AsyncIterable<Buffer> | null> {
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (!first.done && first.value.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    stream.destroy();
    return null;
  }
  return (async function* () {
    if (!first.done) yield first.value;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  })();
}
