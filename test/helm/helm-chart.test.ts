/**
 * The Helm chart helm/runnel, rendered by a real helm (see helm-binary.ts)
 * for the default values and for 5 brokers with racks and the monitoring
 * objects on; every rendered object is validated against the Kubernetes
 * schemas, and the facts the cluster depends on (stable voter addresses,
 * per-pod advertised hosts, PDBs, non-root) are asserted. The broker
 * pre-stop script runs against a scripted CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runHelm } from './helm-binary.ts';
import { validateObjects } from './kubernetes-validation.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const chart = join(repoRoot, 'helm/runnel');
const namespace = 'streaming';

type K8sObject = Record<string, unknown> & { kind: string; metadata: { name: string } };

function render(sets: readonly string[]): K8sObject[] {
  const args = ['template', 'r1', chart, '--namespace', namespace, '--kube-version', '1.31.0'];
  for (const set of sets) args.push('--set', set);
  const result = runHelm(args);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as unknown)
    .filter((o): o is K8sObject => typeof o === 'object' && o !== null);
}

function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map((o) => o.kind).join(', ')}`);
  return found;
}

// Paths into a StatefulSet, typed just enough for the assertions below.
interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  args?: string[];
  readinessProbe?: { httpGet?: { path?: string; port?: string | number } };
  ports?: { name?: string; containerPort?: number }[];
  securityContext?: Record<string, unknown>;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
}
function podSpec(workload: K8sObject): PodSpec {
  return (workload.spec as { template: { spec: PodSpec } }).template.spec;
}
function env(container: Container | undefined, name: string): string | undefined {
  return container?.env?.find((e) => e.name === name)?.value;
}

const controllerDomain = `r1-runnel-controller.${namespace}.svc.cluster.local`;
const brokerDomain = `r1-runnel-broker.${namespace}.svc.cluster.local`;
const variant = [
  'broker.replicas=5',
  'broker.rack.nodeLabel=topology.kubernetes.io/zone',
  'metrics.serviceMonitor.enabled=true',
  'metrics.prometheusRule.enabled=true',
];

describe('helm chart helm/runnel', () => {
  it('helm lint passes for the default values and for the 5-broker monitoring variant', () => {
    const plain = runHelm(['lint', '--strict', chart]);
    expect(plain.stdout + plain.stderr).toContain('0 chart(s) failed');
    expect(plain.status).toBe(0);
    const withVariant = runHelm(['lint', '--strict', chart, ...variant.flatMap((s) => ['--set', s])]);
    expect(withVariant.stdout + withVariant.stderr).toContain('0 chart(s) failed');
    expect(withVariant.status).toBe(0);
  });

  describe('default values', () => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = render([]);
    });

    it('every rendered object validates against the Kubernetes schemas', () => {
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ConfigMap/r1-runnel-broker-scripts',
        'Deployment/r1-runnel-gateway',
        'PodDisruptionBudget/r1-runnel-broker',
        'PodDisruptionBudget/r1-runnel-controller',
        'PodDisruptionBudget/r1-runnel-gateway',
        'Service/r1-runnel-bootstrap',
        'Service/r1-runnel-broker',
        'Service/r1-runnel-controller',
        'Service/r1-runnel-gateway',
        'StatefulSet/r1-runnel-broker',
        'StatefulSet/r1-runnel-controller',
      ]);
      expect(validateObjects(objects)).toEqual([]);
    });

    it('controllers get a static voter list of 3 stable pod DNS names behind a headless Service', () => {
      const controller = podSpec(find(objects, 'StatefulSet', 'r1-runnel-controller')).containers[0];
      const voters = env(controller, 'RUNNEL_VOTERS')?.split(',');
      expect(voters).toEqual([0, 1, 2].map((i) => `${i + 1}@r1-runnel-controller-${i}.${controllerDomain}:9093`));
      const service = find(objects, 'Service', 'r1-runnel-controller').spec as Record<string, unknown>;
      expect(service.clusterIP).toBe('None');
      expect(service.publishNotReadyAddresses).toBe(true);
      expect(find(objects, 'StatefulSet', 'r1-runnel-controller').spec).toMatchObject({
        replicas: 3,
        serviceName: 'r1-runnel-controller',
        podManagementPolicy: 'Parallel',
      });
      // The node id is the ordinal + 1, matching the voter entries (a shell expansion, not a JS template).
      expect(controller?.command?.join('\n')).toContain(`RUNNEL_NODE_ID=$(( \${HOSTNAME##*-} + 1 ))`);
    });

    it('each broker advertises its own pod DNS name and reaches every controller service', () => {
      const broker = podSpec(find(objects, 'StatefulSet', 'r1-runnel-broker')).containers[0];
      expect(env(broker, 'RUNNEL_ADVERTISED_HOST')).toBe(`$(POD_NAME).${brokerDomain}`);
      expect(env(broker, 'RUNNEL_ADVERTISED_REPLICATION_HOST')).toBe(`$(POD_NAME).${brokerDomain}`);
      expect(env(broker, 'RUNNEL_CONTROLLERS')?.split(',')).toEqual(
        [0, 1, 2].map((i) => `r1-runnel-controller-${i}.${controllerDomain}:9193`),
      );
      expect(env(broker, 'RUNNEL_MIN_INSYNC_REPLICAS')).toBe('2');
      expect(broker?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(broker?.lifecycle?.preStop?.exec?.command).toEqual(['/bin/sh', '/etc/runnel/scripts/pre-stop.sh']);
      const claims = (find(objects, 'StatefulSet', 'r1-runnel-broker').spec as { volumeClaimTemplates: unknown[] })
        .volumeClaimTemplates;
      expect(claims).toHaveLength(1);
    });

    it('the gateway: 2 replicas advertising their pod IP for forwarded registry writes, reaching the bootstrap Service, ready on /readyz of the registry port, Service on 8081 (registry) and 8082 (REST)', () => {
      const deployment = find(objects, 'Deployment', 'r1-runnel-gateway');
      expect(deployment.spec).toMatchObject({ replicas: 2 });
      const gateway = podSpec(deployment).containers[0];
      expect(gateway?.args).toEqual(['gateway']);
      expect(env(gateway, 'RUNNEL_BOOTSTRAP')).toBe(`r1-runnel-bootstrap.${namespace}.svc.cluster.local:9092`);
      expect(env(gateway, 'RUNNEL_HOST')).toBe('0.0.0.0');
      expect(env(gateway, 'RUNNEL_REGISTRY_PORT')).toBe('8081');
      expect(env(gateway, 'RUNNEL_ADVERTISED_URL')).toBe('http://$(POD_IP):8081');
      expect(env(gateway, 'RUNNEL_REST_PORT')).toBe('8082');
      expect(env(gateway, 'RUNNEL_REST_ADVERTISED_URL')).toBe('http://$(POD_IP):8082');
      expect(gateway?.env?.find((e) => e.name === 'POD_IP')).toEqual({
        name: 'POD_IP',
        valueFrom: { fieldRef: { fieldPath: 'status.podIP' } },
      });
      expect(gateway?.ports).toEqual([
        { name: 'registry', containerPort: 8081 },
        { name: 'rest', containerPort: 8082 },
      ]);
      expect(gateway?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'registry' });
      expect(find(objects, 'Service', 'r1-runnel-gateway').spec).toMatchObject({
        type: 'ClusterIP',
        ports: [
          { name: 'registry', port: 8081, targetPort: 'registry' },
          { name: 'rest', port: 8082, targetPort: 'rest' },
        ],
        selector: { 'app.kubernetes.io/component': 'gateway' },
      });
      expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    });

    it('every role has a PDB of maxUnavailable 1 and runs non-root with a read-only root and no capabilities', () => {
      for (const [role, kind] of [
        ['controller', 'StatefulSet'],
        ['broker', 'StatefulSet'],
        ['gateway', 'Deployment'],
      ] as const) {
        expect(find(objects, 'PodDisruptionBudget', `r1-runnel-${role}`).spec).toMatchObject({ maxUnavailable: 1 });
        const spec = podSpec(find(objects, kind, `r1-runnel-${role}`));
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(spec.containers[0]?.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
    });

    it('the scripts ConfigMap carries the pre-stop script from files/', () => {
      const data = find(objects, 'ConfigMap', 'r1-runnel-broker-scripts').data as Record<string, string>;
      expect(data['pre-stop.sh']).toBe(readFileSync(join(chart, 'files/pre-stop.sh'), 'utf8'));
    });
  });

  describe('5 brokers with racks from a node label and the monitoring objects on', () => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = render(variant);
    });

    it('every rendered object validates, including the ServiceMonitors and the PrometheusRule', () => {
      const kinds = objects.map((o) => o.kind);
      expect(kinds.filter((k) => k === 'ServiceMonitor')).toHaveLength(3);
      expect(kinds.filter((k) => k === 'PrometheusRule')).toHaveLength(1);
      expect(kinds).toContain('ClusterRoleBinding');
      expect(validateObjects(objects)).toEqual([]);
    });

    it('brokers look their rack up from the node label in an init container with a node-reading service account', () => {
      const statefulSet = find(objects, 'StatefulSet', 'r1-runnel-broker');
      expect(statefulSet.spec).toMatchObject({ replicas: 5 });
      const spec = podSpec(statefulSet);
      expect(spec.serviceAccountName).toBe('r1-runnel-broker');
      const init = spec.initContainers?.find((c) => c.name === 'rack');
      expect(env(init, 'RACK_NODE_LABEL')).toBe('topology.kubernetes.io/zone');
      expect(spec.containers[0]?.command?.join('\n')).toContain('RUNNEL_RACK=$(cat /etc/runnel/rack/rack)');
      const role = find(objects, 'ClusterRole', `r1-runnel-broker-${namespace}-node-reader`);
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    });

    it('ServiceMonitors label targets with the job names the alert rules use', () => {
      for (const [role, port] of [
        ['controller', 'http'],
        ['broker', 'http'],
        ['gateway', 'registry'],
      ]) {
        expect(find(objects, 'ServiceMonitor', `r1-runnel-${role}`).spec).toMatchObject({
          endpoints: [{ port, path: '/metrics', relabelings: [{ targetLabel: 'job', replacement: `runnel-${role}` }] }],
        });
      }
    });

    it('the PrometheusRule holds exactly the groups of deploy/prometheus/alerts.yml', () => {
      const alerts = parse(readFileSync(join(repoRoot, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: unknown };
      expect(find(objects, 'PrometheusRule', 'r1-runnel').spec).toEqual({ groups: alerts.groups });
    });
  });

  describe('gateway autoscaling on, and the gateway off', () => {
    it('autoscaling renders a valid CPU HorizontalPodAutoscaler for the Deployment, which then sets no replicas', () => {
      const objects = render([
        'gateway.autoscaling.enabled=true',
        'gateway.autoscaling.minReplicas=3',
        'gateway.autoscaling.maxReplicas=9',
      ]);
      expect(validateObjects(objects)).toEqual([]);
      expect(find(objects, 'HorizontalPodAutoscaler', 'r1-runnel-gateway').spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'r1-runnel-gateway' },
        minReplicas: 3,
        maxReplicas: 9,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      });
      expect(find(objects, 'Deployment', 'r1-runnel-gateway').spec).not.toHaveProperty('replicas');
    });

    it('gateway.enabled=false renders no gateway object (nor its PDB or ServiceMonitor)', () => {
      const objects = render(['gateway.enabled=false', 'metrics.serviceMonitor.enabled=true']);
      expect(objects.filter((o) => o.metadata.name.includes('gateway'))).toEqual([]);
      expect(objects.filter((o) => o.kind === 'ServiceMonitor')).toHaveLength(2);
    });
  });

  it('the chart copy of the alert rules is identical to deploy/prometheus/alerts.yml', () => {
    expect(readFileSync(join(chart, 'files/alerts.yml'), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'deploy/prometheus/alerts.yml'), 'utf8'),
    );
  });

  it.each([
    ['broker.replicas=0', 'broker.replicas'],
    ['controller.replicas=2', 'controller.replicas'],
    ['broker.replicaz=3', 'replicaz'],
    ['gateway.replicas=0', 'gateway.replicas'],
  ])('values.schema.json rejects %s and helm template fails', (set, mentioned) => {
    const result = runHelm(['template', 'r1', chart, '--set', set]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toContain(mentioned);
  });
});

describe('broker pre-stop script', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-prestop-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A stand-in for `runnel topics list|describe`: topic "orders" has broker 2
  // as its only in-sync replica until the third describe, then all three;
  // topic "single" has one replica, on broker 2.
  function fakeCli(): string {
    const path = join(dir, 'fake-cli.mjs');
    writeFileSync(
      path,
      `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const [command, topic] = process.argv.slice(3);
if (command === 'list') { process.stdout.write('orders\\nsingle\\n'); process.exit(0); }
if (topic === 'single') { process.stdout.write('\\tTopic: single\\tPartition: 0\\tLeader: 2\\tReplicas: 2\\tIsr: 2\\n'); process.exit(0); }
const counter = ${JSON.stringify(join(dir, 'describes'))};
const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) + 1 : 1;
writeFileSync(counter, String(n));
const isr = n < 3 ? '2' : '2,1,3';
process.stdout.write('Topic: orders\\tPartitionCount: 2\\tReplicationFactor: 3\\tConfigs: \\n');
process.stdout.write('\\tTopic: orders\\tPartition: 0\\tLeader: 2\\tReplicas: 2,1,3\\tIsr: ' + isr + '\\n');
process.stdout.write('\\tTopic: orders\\tPartition: 1\\tLeader: 1\\tReplicas: 1,2,3\\tIsr: 1,2,3\\n');
`,
    );
    return path;
  }

  function runPreStop(extraEnv: Record<string, string>): { status: number | null; stdout: string } {
    const result = spawnSync('/bin/sh', [join(chart, 'files/pre-stop.sh')], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOSTNAME: 'r1-runnel-broker-1',
        RUNNEL_CLI: fakeCli(),
        PRESTOP_POLL_SECONDS: '1',
        PRESTOP_LOG: '/dev/null/none',
        ...extraEnv,
      },
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout };
  }

  it('holds broker 2 while it is the only in-sync replica of a replicated partition, then lets it stop', () => {
    rmSync(join(dir, 'describes'), { force: true });
    const { status, stdout } = runPreStop({});
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      'pre-stop: broker 2 is the only in-sync replica of partitions of: orders(1); waiting 1s',
      'pre-stop: broker 2 is the only in-sync replica of partitions of: orders(1); waiting 1s',
      'pre-stop: broker 2: not the only in-sync replica of any partition; stopping',
    ]);
  });

  it('lets a broker that is in no partition alone stop at once', () => {
    writeFileSync(join(dir, 'describes'), '10');
    const { status, stdout } = runPreStop({ HOSTNAME: 'r1-runnel-broker-0' });
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('pre-stop: broker 1: not the only in-sync replica of any partition; stopping');
  });

  it('counts single-replica partitions too when PRESTOP_INCLUDE_SINGLE_REPLICA=true', () => {
    // The "single" topic never gains a second replica, so the hook would wait
    // for ever; the timeout stands in for Kubernetes' grace period.
    writeFileSync(join(dir, 'describes'), '10');
    const result = spawnSync('/bin/sh', [join(chart, 'files/pre-stop.sh')], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOSTNAME: 'r1-runnel-broker-1',
        RUNNEL_CLI: fakeCli(),
        PRESTOP_POLL_SECONDS: '1',
        PRESTOP_LOG: '/dev/null/none',
        PRESTOP_INCLUDE_SINGLE_REPLICA: 'true',
      },
      timeout: 2_500,
    });
    expect(result.stdout.split('\n')[0]).toBe(
      'pre-stop: broker 2 is the only in-sync replica of partitions of: single(1); waiting 1s',
    );
  });

  it('lets the broker stop when its own listener cannot list topics', () => {
    const { status, stdout } = runPreStop({ RUNNEL_CLI: join(dir, 'missing.mjs') });
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('pre-stop: broker 2: cannot list topics; not holding the shutdown');
  });
});
