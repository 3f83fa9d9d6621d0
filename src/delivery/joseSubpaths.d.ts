// jose's own subpath exports (its package.json `exports`: "./jwe/*" → dist/webapi/jwe/*.js), which
// `moduleResolution: node` does not read. Importing a subpath bundles only that part of jose.
declare module 'jose/jwe/compact/encrypt' {
  export { CompactEncrypt } from 'jose';
}
