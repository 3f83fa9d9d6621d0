import { join } from 'node:path';
import { CliError } from '../../../src/cli/errors';
import { loadEventHandler } from '../../../src/cli/loadEventHandler';
import type { CloudEventJson } from '../../../src/events/types';
import type { HandlerContext } from '../../../src/worker/types';

const FIXTURES = join(__dirname, 'fixtures');
const event: CloudEventJson = { specversion: '1.0', id: 'evt-1', source: '/shop', type: 'com.example.orders.created' };
const context = {} as HandlerContext;

describe('loadEventHandler', () => {
  test('takes the `handler` export and the `init` hook of a CommonJS module, relative to cwd', async () => {
    const module = await loadEventHandler('./cjsHandler.js', FIXTURES);
    await expect(module.handler(event, context)).rejects.toThrow('init was not called');
    await module.init!();
    await expect(module.handler(event, context)).resolves.toBe('evt-1');
  });

  test('takes a module that is itself a function, by absolute path', async () => {
    const module = await loadEventHandler(join(FIXTURES, 'defaultFunction.js'), '/');
    await expect(module.handler(event, context)).resolves.toBe('evt-1');
    expect(module.init).toBeUndefined();
  });

  test('refuses a module without a handler, saying what to export', async () => {
    await expect(loadEventHandler('./noHandler.js', FIXTURES)).rejects.toThrow(
      new CliError('handler module ./noHandler.js exports no handler: export `handler(event, context)` (async), or a default function'),
    );
  });

  test('reports a module that fails to load, or is missing, with its path and the cause', async () => {
    await expect(loadEventHandler('./throwsOnLoad.js', FIXTURES)).rejects.toThrow('handler module ./throwsOnLoad.js did not load: cannot start: missing setting');
    await expect(loadEventHandler('./absent.js', FIXTURES)).rejects.toThrow(/handler module \.\/absent\.js did not load: Cannot find module/);
  });
});
