import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DEPRECATED_OPTIONS, OPTION_DEFINITIONS, type OptionDefinition } from '../../lib/options/keysmith-options.table.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const INTERFACE_FILE = new URL('../../lib/options/keysmith-options.interface.ts', import.meta.url);

interface Row {
  option: string;
  default: string;
  meaning: string;
}

/** The Configuration section of the README, up to the next section. */
function configurationSection(): string {
  const start = README.indexOf('\n## Configuration\n');
  expect(start, 'README has a "## Configuration" section').toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end);
}

/** The rows of the section's first table, `|` in a cell written `\|`. */
function readmeRows(): Row[] {
  const lines = configurationSection().split('\n');
  const header = lines.indexOf('| option | default | meaning |');
  expect(header, 'the Configuration section has a "| option | default | meaning |" table').toBeGreaterThan(0);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim().replaceAll('\\|', '|'));
    rows.push({ option: cells[0], default: cells[1], meaning: cells[2] });
  }
  return rows;
}

/** The README's default column for a value: `'text'`, `60`, `true`, `[]`. */
function shownValue(value: unknown): string | undefined {
  if (value === undefined) return 'none';
  if (typeof value === 'string') return `\`'${value}'\``;
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${value}\``;
  if (Array.isArray(value)) return `\`[${value.map((item) => `'${String(item)}'`).join(', ')}]\``;
  return undefined;
}

function shownDefault(definition: OptionDefinition<unknown, unknown>): string {
  const shown = definition.shownDefault ?? (definition.computeDefault ? undefined : shownValue(definition.default));
  if (shown === undefined) throw new Error('give this option a shownDefault: its default has no obvious README form');
  return shown;
}

/** Each option's JSDoc in `KeysmithModuleOptions`, on one line. */
function interfaceDocs(): Map<string, string> {
  const source = ts.createSourceFile('options.ts', readFileSync(INTERFACE_FILE, 'utf8'), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, string>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'KeysmithModuleOptions') return;
    for (const member of node.members) {
      const doc = ts
        .getJSDocCommentsAndTags(member)
        .map((comment) => comment.getText())
        .join(' ');
      docs.set((member.name as ts.Identifier).text, doc.replace(/\s*\n\s*\*\s?/g, ' '));
    }
  });
  return docs;
}

describe('the option table and the README configuration table', () => {
  it('agree row by row: name, default and meaning, in the order of the option table', () => {
    const expected = OPTION_DEFINITIONS.map(([option, definition]) => ({
      option: `\`${option}\``,
      default: shownDefault(definition),
      meaning: definition.meaning,
    }));
    expect(readmeRows(), 'the README table rows, as lib/options/keysmith-options.table.ts defines them').toEqual(expected);
  });

  it.each(Object.entries(DEPRECATED_OPTIONS))(
    'names the deprecated %s with its replacement, in one paragraph',
    (option, { replacedBy }) => {
      const paragraphs = configurationSection().split('\n\n');
      expect(paragraphs.filter((text) => text.includes(`\`${option}\``) && text.includes(`\`${replacedBy}\``))).not.toEqual([]);
    },
  );
});

describe('the option table and the JSDoc of KeysmithModuleOptions', () => {
  const docs = interfaceDocs();

  it.each(OPTION_DEFINITIONS)('%s: the JSDoc gives the default', (option, definition) => {
    const doc = docs.get(option);
    expect(doc, `KeysmithModuleOptions.${option} has a JSDoc`).toBeDefined();
    if (definition.shownDefault !== undefined || definition.computeDefault) expect(doc).toMatch(/Default\b/);
    else expect(doc).toContain(`Default ${shownValue(definition.default)}`);
  });

  it.each(Object.entries(DEPRECATED_OPTIONS))('%s: the JSDoc marks it deprecated, naming its replacement', (option, { replacedBy }) => {
    expect(docs.get(option)).toMatch(new RegExp(`@deprecated.*\`${replacedBy}\``));
  });
});
