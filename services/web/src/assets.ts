import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, stop } from 'esbuild';

export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
  /** Hashed names never change content, so browsers may keep them for good. */
  immutable: boolean;
}

const ownUiDir = fileURLToPath(new URL('../ui/', import.meta.url));
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function asset(path: string, body: Buffer, immutable: boolean): Asset {
  const type = types[extname(path) || '.html'];
  if (!type) throw new Error(`no content type for ${path}`);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { type, body, gzip: gzipSync(body, { level: 9 }), etag, immutable };
}

/**
 * Bundles ui/main.tsx (Preact, its CSS) with esbuild once at start-up, in memory: one
 * minified script and one stylesheet under content-hashed names, and index.html pointing
 * at them. No build step to run or forget, and no files written (the container's root
 * filesystem is read-only). Keyed by URL path. bench/web/profile.ts passes another ui/ to compare.
 */
export async function buildAssets(uiDir = ownUiDir): Promise<Map<string, Asset>> {
  const result = await build({
    absWorkingDir: uiDir,
    entryPoints: ['main.tsx'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'assets',
    entryNames: '[name]-[hash]',
    write: false,
    logLevel: 'silent',
  });
  await stop(); // esbuild's helper process is not needed after this one build
  const assets = new Map<string, Asset>();
  const names: Record<string, string> = {};
  for (const file of result.outputFiles) {
    const path = `/assets/${file.path.split('/').at(-1)}`;
    names[extname(path)] = path;
    assets.set(path, asset(path, Buffer.from(file.contents), true));
  }
  const html = (await readFile(join(uiDir, 'index.html'), 'utf8'))
    .replace('{{script}}', names['.js'] ?? '')
    .replace('{{style}}', names['.css'] ?? '');
  assets.set('/', asset('/', Buffer.from(html), false));
  return assets;
}
