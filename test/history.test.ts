// history.jsonl read from its end: the same lines as a whole-file read, whatever their sizes and wherever the blocks fall.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastLines } from '../src/history.js';
import { tempDir } from './helpers/cli.js';

const dir = tempDir('iotpay-history-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function fileOf(content: string | Buffer): string {
  const file = path.join(dir, `h${n++}.jsonl`);
  fs.writeFileSync(file, content);
  return file;
}

/** What a whole-file read gives: the last `limit` non-blank lines. */
const naive = (content: string, limit: number) =>
  content
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-limit);

describe('lastLines', () => {
  const block = 64 * 1024;
  const cases: Array<[string, string]> = [
    ['empty file', ''],
    ['one line, no newline', '{"a":1}'],
    ['one line, newline', '{"a":1}\n'],
    ['blank lines between and around', '\n\n{"a":1}\n   \n{"a":2}\n\n'],
    ['CRLF line ends', '{"a":1}\r\n{"a":2}\r\n'],
    ['a newline exactly at a block boundary', `${'x'.repeat(block - 1)}\n${'y'.repeat(block - 1)}\n{"a":3}`],
    ['lines longer than a block', `${'a'.repeat(3 * block + 7)}\n${'b'.repeat(block + 1)}\n{"c":1}\n`],
    // A three-byte character cut by the block edge: bytes are joined before they are decoded.
    // (the short last line puts two block edges inside characters).
    ['multi-byte text across a block edge', `${'é'.repeat(block)}\n${'你好'.repeat(block / 3)}\n{"a":1}\n`],
    ['many short lines', Array.from({ length: 5000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n'],
  ];
  for (const [name, content] of cases) {
    it.each([1, 2, 3, 20, 100_000])(`${name}: last %i`, (limit) => {
      expect(lastLines(fileOf(content), limit)).toEqual(naive(content, limit));
    });
  }

  it('a line over 1 MiB is unreadable, not held: undefined in its place, in the count', () => {
    const content = `{"a":1}\n${'z'.repeat(1024 * 1024 + 1)}\n{"a":2}\n`;
    const file = fileOf(content);
    expect(lastLines(file, 1)).toEqual(['{"a":2}']);
    expect(lastLines(file, 2)).toEqual([undefined, '{"a":2}']);
    expect(lastLines(file, 10)).toEqual(['{"a":1}', undefined, '{"a":2}']);
    // A line of exactly 1 MiB is still read.
    const edge = 'e'.repeat(1024 * 1024);
    expect(lastLines(fileOf(`${edge}\n`), 5)).toEqual([edge]);
  });
});
