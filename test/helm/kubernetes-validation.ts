/**
 * Validates rendered Kubernetes objects against the API schemas shipped by
 * kubernetes-models (and @kubernetes-models/prometheus-operator for the
 * monitoring CRDs). Only the kinds the chart renders are mapped; any other
 * kind is reported as unknown so a new template cannot go unchecked.
 * Those schemas check types, enums and required fields; they do not reject
 * unknown fields.
 */
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';

type Validator = (object: Record<string, unknown>) => void;

// The constructors take their own typed shapes; the rendered YAML is unknown until validated.
const validators: Record<string, Validator> = {
  'v1/ConfigMap': (o) => new ConfigMap(o as ConstructorParameters<typeof ConfigMap>[0]).validate(),
  'v1/Service': (o) => new Service(o as ConstructorParameters<typeof Service>[0]).validate(),
  'v1/ServiceAccount': (o) => new ServiceAccount(o as ConstructorParameters<typeof ServiceAccount>[0]).validate(),
  'apps/v1/StatefulSet': (o) => new StatefulSet(o as ConstructorParameters<typeof StatefulSet>[0]).validate(),
  'apps/v1/Deployment': (o) => new Deployment(o as ConstructorParameters<typeof Deployment>[0]).validate(),
  'autoscaling/v2/HorizontalPodAutoscaler': (o) =>
    new HorizontalPodAutoscaler(o as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]).validate(),
  'policy/v1/PodDisruptionBudget': (o) =>
    new PodDisruptionBudget(o as ConstructorParameters<typeof PodDisruptionBudget>[0]).validate(),
  'rbac.authorization.k8s.io/v1/ClusterRole': (o) =>
    new ClusterRole(o as ConstructorParameters<typeof ClusterRole>[0]).validate(),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (o) =>
    new ClusterRoleBinding(o as ConstructorParameters<typeof ClusterRoleBinding>[0]).validate(),
  'monitoring.coreos.com/v1/ServiceMonitor': (o) =>
    new ServiceMonitor(o as ConstructorParameters<typeof ServiceMonitor>[0]).validate(),
  'monitoring.coreos.com/v1/PrometheusRule': (o) =>
    new PrometheusRule(o as ConstructorParameters<typeof PrometheusRule>[0]).validate(),
};

/** One problem per object that fails validation, as "<apiVersion/kind> <name>: <reason>". */
export function validateObjects(objects: readonly Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const key = `${String(object.apiVersion)}/${String(object.kind)}`;
    const name = String((object.metadata as { name?: unknown } | undefined)?.name);
    const validate = validators[key];
    if (validate === undefined) {
      problems.push(`${key} ${name}: no schema for this kind`);
      continue;
    }
    try {
      validate(object);
    } catch (error: unknown) {
      problems.push(`${key} ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}
