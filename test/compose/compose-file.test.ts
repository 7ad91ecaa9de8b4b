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
  network_mode?: string;
  extra_hosts?: string[];
}

const composeFile = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as Record<
  string,
  unknown
> & { services: Record<string, Service> };
const services = composeFile.services;
const gateway = services.gateway;
const brokers = Object.entries(services).filter(([name]) => name.startsWith('broker-'));
const hostGateway = 'host.docker.internal:host-gateway';

describe('docker-compose.yml', () => {
  it('keeps to what Compose v1 and v2 both accept: no top-level version or name', () => {
    expect(Object.keys(composeFile)).not.toContain('version');
    expect(Object.keys(composeFile)).not.toContain('name');
  });
});

describe('docker-compose.yml gateway service', () => {
  it('runs `gateway` from the same image as the brokers', () => {
    expect(gateway?.command).toEqual(['gateway']);
    expect(gateway?.image).toBe(services['broker-1']?.image);
    expect(gateway?.build).toEqual(services['broker-1']?.build);
  });

  // The brokers advertise 127.0.0.1 and publish each Kafka port 1:1, so a
  // client on the host's network can use what Metadata answers; a gateway in
  // the compose network could not (it would try its own loopback).
  it("shares the host's network and bootstraps from every broker's published port on 127.0.0.1", () => {
    expect(gateway?.network_mode).toBe('host');
    expect(brokers).toHaveLength(3);
    for (const [name, broker] of brokers) {
      const port = broker.environment?.RUNNEL_PORT;
      expect(broker.ports, name).toEqual([`${port}:${port}`]);
      expect(broker.environment?.RUNNEL_ADVERTISED_HOST, name).toMatch(/^\$\{RUNNEL_ADVERTISED_HOST:-127\.0\.0\.1\}$/);
    }
    const expected = brokers.map(([, broker]) => `127.0.0.1:${broker.environment?.RUNNEL_PORT}`);
    expect(gateway?.environment?.RUNNEL_BOOTSTRAP?.split(',')).toEqual(expected);
  });

  it("serves the registry (8081) and the REST Proxy (8082) on the host's loopback only and publishes nothing (host networking has no ports)", () => {
    expect(gateway?.environment?.RUNNEL_HOST).toBe('127.0.0.1');
    expect(gateway?.environment?.RUNNEL_REGISTRY_PORT).toBe('8081');
    expect(gateway?.environment?.RUNNEL_REST_PORT).toBe('8082');
    expect(gateway?.ports).toBeUndefined();
  });

  it("serves its metrics port on the host's Docker bridge address (host-gateway), not on a wildcard", () => {
    expect(gateway?.extra_hosts).toContain(hostGateway);
    expect(gateway?.environment?.RUNNEL_HTTP_HOST).toBe('host.docker.internal');
    expect(gateway?.environment?.RUNNEL_HTTP_PORT).toBe('9644');
  });

  it('is healthy only when /readyz answers 200 on the registry port', () => {
    expect(gateway?.healthcheck?.test.join(' ')).toContain("fetch('http://127.0.0.1:8081/readyz')");
  });

  it('Prometheus scrapes the gateway as job runnel-gateway on that metrics port, through host-gateway', () => {
    expect(services.prometheus?.extra_hosts).toContain(hostGateway);
    const prometheus = parse(readFileSync(join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'runnel-gateway');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual([
      `host.docker.internal:${gateway?.environment?.RUNNEL_HTTP_PORT}`,
    ]);
  });
});
