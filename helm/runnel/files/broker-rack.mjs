// Broker init container: looks up the label RACK_NODE_LABEL of the node
// this pod runs on (NODE_NAME, from the downward API) through the API
// server and writes it to RACK_FILE for the broker's broker.rack. The
// downward API cannot expose node labels, hence the lookup; it needs the
// chart's ClusterRole (get nodes). A failed lookup exits 1 so the pod does
// not start with a wrong rack; a node without the label gets RACK_DEFAULT.
import { readFileSync, writeFileSync } from 'node:fs';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};
const saDir = '/var/run/secrets/kubernetes.io/serviceaccount';
const url = `https://${env('KUBERNETES_SERVICE_HOST')}:${env('KUBERNETES_SERVICE_PORT')}/api/v1/nodes/${encodeURIComponent(env('NODE_NAME'))}`;
const token = readFileSync(`${saDir}/token`, 'utf8').trim();
// NODE_EXTRA_CA_CERTS (set by the chart to the service account's ca.crt) makes fetch trust the API server.
const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
if (!response.ok) {
  console.error(`rack lookup: GET ${url} answered ${response.status}: ${await response.text()}`);
  process.exit(1);
}
const node = await response.json();
const label = env('RACK_NODE_LABEL');
const rack = node?.metadata?.labels?.[label] ?? process.env.RACK_DEFAULT ?? '';
writeFileSync(env('RACK_FILE'), rack);
console.log(`rack lookup: node ${env('NODE_NAME')} label ${label} -> "${rack}"`);
