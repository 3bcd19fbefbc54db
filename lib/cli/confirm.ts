import type { CliOutput } from './command.js';

/** Where a command reads an operator's answer: the standard input. */
export type CliInput = AsyncIterable<Buffer | string>;

/**
 * Asks `question` on stderr and reads one line from `input`: true for `y` or `yes` (any case),
 * false for anything else, and for an input that ends without a line.
 */
export async function confirmOn(input: CliInput, output: CliOutput, question: string): Promise<boolean> {
  output.stderr(`${question} [y/N] `);
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  const answer = text.split('\n')[0].trim().toLowerCase();
  if (!text.includes('\n')) output.stderr('\n');
  return answer === 'y' || answer === 'yes';
}
