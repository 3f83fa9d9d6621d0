import { join } from 'node:path';

/** The page's script, built once per process from `web/main.tsx` with the repo's esbuild: held in memory, never written. */
let bundle: Promise<string> | undefined;

export function consoleBundle(): Promise<string> {
  return (bundle ??= build().catch((error: unknown) => {
    bundle = undefined; // a failed build is retried on the next request
    throw error;
  }));
}

async function build(): Promise<string> {
  // esbuild is a dev dependency: loaded only when a console is served.
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(__dirname, 'web', 'main.tsx')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The one HTML page; everything in it comes from the bundle. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard console</title><link rel="stylesheet" href="/console/console.css"></head>
<body><div id="app"></div><script src="/console/app.js"></script></body></html>
`;
