import type { CliOutput } from './command.js';

/** Items fetched per query when `--all` reads every match. */
const ALL_PAGE_SIZE = 1_000;

/** One page of a listing and how many items match on every page. */
export interface ListedPage<Item> {
  items: Item[];
  total: number;
}

/** `--limit`, `--offset` and `--all`, as every listing takes them. */
export interface PageOptions {
  limit?: number;
  offset?: number;
  all?: true;
}

/** The page the options ask for, or with `--all` every item, read a thousand at a time. */
export async function readPage<Item>(
  options: PageOptions,
  defaultLimit: number,
  fetch: (limit: number, offset: number) => Promise<ListedPage<Item>>,
): Promise<ListedPage<Item>> {
  if (!options.all) return fetch(options.limit ?? defaultLimit, options.offset ?? 0);
  const items: Item[] = [];
  for (;;) {
    const page = await fetch(ALL_PAGE_SIZE, items.length);
    items.push(...page.items);
    if (page.items.length < ALL_PAGE_SIZE) return { items, total: page.total };
  }
}

/**
 * Says on stderr how many items match and, when the page holds only some of them, how to get the
 * rest: `Showing 1-100 of 106 tokens; the next page: --offset 100, every one: --all.`
 */
export function sayCount(output: CliOutput, page: ListedPage<unknown>, offset: number, noun: { one: string; many: string }): void {
  const { items, total } = page;
  const name = total === 1 ? noun.one : noun.many;
  if (total === 0) {
    output.stderr(`No ${noun.many} match.\n`);
  } else if (items.length === 0) {
    output.stderr(`${total} ${name} match, none at --offset ${offset}: the last is at --offset ${total - 1}.\n`);
  } else if (items.length === total) {
    output.stderr(`${total} ${name} ${total === 1 ? 'matches' : 'match'}.\n`);
  } else {
    const last = offset + items.length;
    const rest = last < total ? `; the next page: --offset ${last}, every one: --all` : '; every one: --all';
    output.stderr(`Showing ${offset + 1}-${last} of ${total} ${name}${rest}.\n`);
  }
}
