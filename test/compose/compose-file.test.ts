/**
 * The root docker-compose.yml as Compose reads it (YAML with merge keys),
 * without a Docker engine: the gateway service's wiring. run.sh checks the
 * same stack for real, by hand.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = resolve(import.meta.dirname, '../..');

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  build?: unknown;
  image?: string;
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const gateway = compose.services.gateway;

describe('docker-compose.yml gateway service', () => {
  it('runs `gateway` from the same image as the brokers', () => {
    expect(gateway?.command).toEqual(['gateway']);
    expect(gateway?.image).toBe(compose.services['broker-1']?.image);
    expect(gateway?.build).toEqual(compose.services['broker-1']?.build);
  });

  it("bootstraps from every broker's service name and Kafka port", () => {
    const brokers = Object.entries(compose.services).filter(([name]) => name.startsWith('broker-'));
    expect(brokers).toHaveLength(3);
    const expected = brokers.map(([name, service]) => `${name}:${service.environment?.RUNNEL_PORT}`);
    expect(gateway?.environment?.RUNNEL_BOOTSTRAP?.split(',')).toEqual(expected);
  });

  it("publishes the registry port 8081 on the host's loopback only and listens on every interface inside", () => {
    expect(gateway?.ports).toEqual(['127.0.0.1:8081:8081']);
    expect(gateway?.environment?.RUNNEL_REGISTRY_PORT).toBe('8081');
    expect(gateway?.environment?.RUNNEL_HOST).toBe('0.0.0.0');
  });

  it('is healthy only when /readyz answers 200 on the registry port', () => {
    expect(gateway?.healthcheck?.test.join(' ')).toContain("fetch('http://127.0.0.1:8081/readyz')");
  });

  it('Prometheus scrapes the gateway as job runnel-gateway on its registry port', () => {
    const prometheus = parse(readFileSync(join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'runnel-gateway');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual(['gateway:8081']);
  });
});
