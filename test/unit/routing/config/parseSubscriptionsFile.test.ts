import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonErrorPosition } from '../../../../src/routing/config/jsonErrorPosition';
import { parseSubscriptionsFile } from '../../../../src/routing/config/parseSubscriptionsFile';
import fc from 'fast-check';

describe('parseSubscriptionsFile', () => {
  it('parses the example subscriptions.json at the repository root', () => {
    const text = readFileSync(join(__dirname, '../../../../subscriptions.json'), 'utf8');
    const result = parseSubscriptionsFile(text);
    expect(result.ok).toBe(true);
    expect(result.ok && result.config.subscriptions.map((s) => s.target.kind)).toEqual(['webhook', 'lambda']);
    expect(result.ok && result.config.local).toEqual({ functions: { audit: './examples/functions/audit.js' } });
  });

  it('names local modules that exist and export a handler, which logs the event type and id to stderr', async () => {
    const root = join(__dirname, '../../../..');
    const result = parseSubscriptionsFile(readFileSync(join(root, 'subscriptions.json'), 'utf8'));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const path of Object.values(result.ok ? result.config.local!.functions : {})) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const module = require(join(root, path)) as { handler: (event: unknown) => Promise<unknown> };
        await module.handler({ specversion: '1.0', id: 'evt-1', source: '/test', type: 'com.example.tested', data: { secret: 'x' } });
      }
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/com\.example\.tested evt-1/));
      expect(stderr).not.toHaveBeenCalledWith(expect.stringContaining('secret'));
    } finally {
      stderr.mockRestore();
    }
  });

  it('reports invalid JSON by line and column, never quoting the text (it may hold a secret)', () => {
    const text = '{\n  "subscriptions": [\n    { "secret": whsec_TOPSECRET }\n  ]\n}';
    const result = parseSubscriptionsFile(text);
    expect(result).toEqual({ ok: false, errors: [{ path: '', message: 'is not valid JSON (line 3, column 17)' }] });
    expect(JSON.stringify(result)).not.toContain('TOPSECRET');
  });

  it('says when the file is empty', () => {
    expect(parseSubscriptionsFile('  \n')).toEqual({ ok: false, errors: [{ path: '', message: 'is not valid JSON (the file is empty)' }] });
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(parseSubscriptionsFile('\ufeff{"subscriptions": []}')).toEqual({ ok: true, config: { subscriptions: [] } });
  });

  it('passes the options on (maxSubscriptions)', () => {
    const text = JSON.stringify({ subscriptions: [1, 2] });
    expect(parseSubscriptionsFile(text, { maxSubscriptions: 1 })).toMatchObject({ ok: false, errors: [{ path: '/subscriptions' }] });
  });
});

describe('jsonErrorPosition', () => {
  it.each([
    ['{"a": }', 6],
    ['{"a": tru}', 6],
    ['{', 1],
    ['[1,]', 3],
    ['{"a":1}}', 7],
    ['"\\x"', 1],
    ['"a\nb"', 2],
    ['{"a" 1}', 5],
    ['01', 1],
  ])('finds the error in %j at offset %i', (text, offset) => {
    expect(jsonErrorPosition(text)).toBe(offset);
  });

  it('finds no error in any valid JSON text', () => {
    fc.assert(fc.property(fc.json(), (text) => jsonErrorPosition(text) === -1));
  });

  it('finds an error in every text JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        return valid === (jsonErrorPosition(text) === -1);
      }),
    );
  });
});
