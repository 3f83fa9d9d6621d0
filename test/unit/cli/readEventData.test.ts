import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { readEventData } from '../../../src/cli/commands/publish';
import { CliError } from '../../../src/cli/errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-data-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readEventData (--data)', () => {
  test('reads any JSON value given as text, as it was', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const text = JSON.stringify(value);
        // A JSON text starting with @ or equal to - cannot occur: JSON starts with { [ " a digit, - and a digit, t, f or n.
        expect(await readEventData(text, { cwd: dir })).toEqual(JSON.parse(text));
      }),
    );
  });

  test('reads @file relative to the current directory, and - from standard input', async () => {
    await writeFile(join(dir, 'order.json'), '{"total": 12, "items": ["a"]}\n');
    expect(await readEventData('@order.json', { cwd: dir })).toEqual({ total: 12, items: ['a'] });
    expect(await readEventData('-', { cwd: dir, stdin: Readable.from(['{"from":', '"stdin"}']) })).toEqual({ from: 'stdin' });
  });

  test('refuses text that is not JSON, an unreadable file and a missing standard input as usage mistakes', async () => {
    await expect(readEventData('{total: 1}', { cwd: dir })).rejects.toThrow(/^--data is not JSON \(.+\): give JSON such as '\{"total":12\}' or '"text"', @file, or - for standard input$/);
    await expect(readEventData('@absent.json', { cwd: dir })).rejects.toThrow(new CliError('cannot read --data file absent.json (ENOENT): give @<path of a JSON file>'));
    await writeFile(join(dir, 'text.txt'), 'plain words');
    await expect(readEventData('@text.txt', { cwd: dir })).rejects.toThrow(/^--data file text\.txt is not JSON/);
    await expect(readEventData('-', { cwd: dir })).rejects.toMatchObject({ exitCode: 2, message: '--data - reads standard input, which this process does not have' });
    await fc.assert(
      fc.asyncProperty(fc.string().filter((text) => text !== '-' && !text.startsWith('@') && !isJson(text)), async (text) => {
        await expect(readEventData(text, { cwd: dir })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--data is not JSON/) });
      }),
    );
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
