/**
 * Node's own `require`, for ESM-only packages (jose, request-filtering-agent, oauth2-mock-server).
 *
 * Jest's CommonJS module registry refuses to load ES modules, but Node ≥ 20.19 can `require()` them. Jest
 * hands test code a patched `module` and `process`, so the real ones are reached through the outer realm:
 * `Buffer` is Node's own, hence so is its `Function` constructor and the `process` it sees. Use it in a
 * module factory: `jest.mock('jose', () => requireNative('jose'))`.
 *
 * Loaded this way the package runs in Node's realm, not Jest's: errors it throws fail `instanceof Error`
 * in tests, and values cross realms only as plain data, Buffers and promises (which is all we pass).
 */
export function requireNative<T = unknown>(name: string): T {
  const realProcess = (Buffer.constructor as FunctionConstructor)('return process')() as NodeJS.Process & {
    getBuiltinModule(id: 'node:module'): typeof import('node:module');
  };
  return realProcess.getBuiltinModule('node:module').createRequire(__filename)(name) as T;
}
