/**
 * Serves the built console (packages/gateway/build/ui, written by `npm run
 * build:console`) at /ui. index.html is read on each request and never
 * cached, so a rebuild shows on the next load; the assets it names carry
 * a content hash in their file names and are cached for a year. Before the
 * bundle is built every /ui page answers a 503 page saying how to build it.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where build-console.ts writes the bundle. */
export const consoleBuildDir = resolve(import.meta.dirname, '..', '..', 'build', 'ui');

const contentTypes: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** An asset name as the build writes them: no directories, nothing that could climb out of the folder. */
const assetName = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[a-z0-9]+$/;

export const missingBundlePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Runnel console not built</title></head>
<body><main><h1>The console is not built</h1>
<p>This gateway serves the web console from <code>packages/gateway/build/ui</code>, which does not exist yet.
Build it with <code>npm run build:console</code> (<code>npm start</code> and <code>npm test</code> do it for you),
then reload this page.</p></main></body></html>
`;

export function registerConsoleAssets(app: FastifyInstance, buildDir: string = consoleBuildDir): void {
  const hidden = { schema: { hide: true } };
  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> => {
    const html = await readFile(join(buildDir, 'index.html')).catch(() => null);
    if (html === null) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(missingBundlePage);
    }
    return reply
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html);
  };
  app.get('/ui', hidden, async (_request, reply) => reply.redirect('/ui/', 302));
  app.get('/ui/', hidden, async (_request, reply) => sendIndex(reply));
  app.get<{ Params: { file: string } }>('/ui/assets/:file', hidden, async (request, reply) => {
    const { file } = request.params;
    const type = contentTypes[extname(file)];
    const bytes =
      assetName.test(file) && type !== undefined
        ? await readFile(join(buildDir, 'assets', file)).catch(() => null)
        : null;
    if (bytes === null) {
      return reply.code(404).type('text/plain; charset=utf-8').send(`no console asset ${file}`);
    }
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .type(type ?? 'application/octet-stream')
      .send(bytes);
  });
}
