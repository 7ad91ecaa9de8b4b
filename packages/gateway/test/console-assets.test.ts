import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerConsoleAssets } from '../src/console/console-assets.ts';

async function appServing(buildDir: string) {
  const app = Fastify();
  registerConsoleAssets(app, buildDir);
  await app.ready();
  return app;
}

describe('console assets', () => {
  it('answers 503 naming npm run build:console while the bundle is not built', async () => {
    const app = await appServing(join(tmpdir(), 'runnel-no-such-console-build'));
    const answer = await app.inject({ method: 'GET', url: '/ui/' });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toContain('npm run build:console');
    await app.close();
  });

  it('serves index.html uncached and hashed assets cached for good; /ui redirects to /ui/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runnel-console-build-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(join(dir, 'assets', 'main-ABC123.js'), 'console.log(1)');
    const app = await appServing(dir);
    const redirect = await app.inject({ method: 'GET', url: '/ui' });
    expect([redirect.statusCode, redirect.headers.location]).toEqual([302, '/ui/']);
    const index = await app.inject({ method: 'GET', url: '/ui/' });
    expect([index.statusCode, index.headers['cache-control']]).toEqual([200, 'no-cache']);
    const asset = await app.inject({ method: 'GET', url: '/ui/assets/main-ABC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toContain('text/javascript');
    await app.close();
  });

  it('answers 404 for an asset it does not have, and never reads outside the assets folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runnel-console-build-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'secret.js'), 'no');
    const app = await appServing(dir);
    for (const url of ['/ui/assets/missing-1.js', '/ui/assets/..%2Fsecret.js', '/ui/assets/main.exe']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    await app.close();
  });
});
