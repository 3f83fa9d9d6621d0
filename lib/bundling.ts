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

/** NodejsFunction bundling options (minified CommonJS for node22, external SDK, source maps). */
export const lambdaBundling: BundlingOptions = {
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: OutputFormat.CJS,
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [...LAMBDA_EXTERNAL_MODULES],
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
};
