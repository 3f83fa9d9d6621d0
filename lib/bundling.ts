import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The one definition of how Switchyard's Lambda handlers are built. `SwitchyardFunction` uses
 * {@link lambdaBundling} (NodejsFunction, local esbuild, no Docker); the benchmark builds the same
 * handlers with {@link lambdaEsbuildOptions} to measure bundle size, so both must say the same thing.
 */

/** Node.js major version of the Lambda runtime and of the esbuild target. */
export const LAMBDA_NODE_MAJOR = 22;

/** Lambda runtime of every function. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/** Lambda architecture of every function (Graviton). */
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

/** Modules left out of the bundle: the Node.js 22 runtime provides AWS SDK for JavaScript v3. */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = ['@aws-sdk/*'];

/**
 * Packages replaced by an empty stand-in in the bundles. axios (the webhook client) pulls in form-data for
 * multipart bodies, and form-data pulls in mime-db (~134 KB of content types) to guess the type of uploaded
 * files. The bus sends only JSON and binary bodies it built itself, never multipart, so the table is never read;
 * without it a function loads faster and the router and redeliver bundles stay under 500 KB.
 */
export const LAMBDA_STUBBED_MODULES: Readonly<Record<string, string>> = {
  'mime-db': join(__dirname, 'bundling-stubs', 'mime-db.json'),
};

/** NodejsFunction bundling options (minified CommonJS for node22, external SDK, source maps). */
export const lambdaBundling: BundlingOptions = {
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: OutputFormat.CJS,
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [...LAMBDA_EXTERNAL_MODULES],
  esbuildArgs: Object.fromEntries(Object.entries(LAMBDA_STUBBED_MODULES).map(([name, stub]) => [`--alias:${name}`, stub])),
};

/**
 * The same build as plain esbuild options, for tools that call esbuild directly (the benchmark).
 * Add `entryPoints` and `outfile`/`outdir`.
 */
export const lambdaEsbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  external: [...LAMBDA_EXTERNAL_MODULES],
  alias: { ...LAMBDA_STUBBED_MODULES },
};
