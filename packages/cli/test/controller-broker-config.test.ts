/**
 * `runnel controller`'s static broker config: the cluster defaults the
 * controller's elections and ISR rules read (min.insync.replicas,
 * unclean.leader.election.enable, auto.leader.rebalance.enable,
 * leader.imbalance.per.broker.percentage), from flags, RUNNEL_* variables
 * or Kafka's keys in the config file, validated before anything starts.
 */
import { describe, expect, it } from 'vitest';
import type { ControllerSettingSources } from '../src/controller-settings.ts';
import { mergeControllerSettings, resolveControllerSettings } from '../src/controller-settings.ts';

const base = { nodeId: '1', voters: '1@127.0.0.1:9093', dataDir: '/d' };

function settings(sources: Partial<ControllerSettingSources>) {
  const merged = mergeControllerSettings({ flags: base, env: {}, file: null, ...sources });
  if (!merged.ok) return merged;
  return resolveControllerSettings(merged.value);
}

describe('controller static broker config', () => {
  it('nothing set passes an empty broker config, so the controller keeps its own defaults', () => {
    expect(settings({})).toMatchObject({ ok: true, value: { brokerConfig: {} } });
  });

  it('flags, environment and Kafka keys in the config file become Kafka-named broker config entries', () => {
    const file = {
      path: 'c.properties',
      values: new Map([
        ['unclean.leader.election.enable', 'TRUE'],
        ['leader.imbalance.per.broker.percentage', '25'],
        ['min.insync.replicas', '3'],
      ]),
    };
    const result = settings({
      flags: { ...base, minInsyncReplicas: '2' },
      env: { RUNNEL_AUTO_LEADER_REBALANCE_ENABLE: 'false' },
      file,
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        brokerConfig: {
          'min.insync.replicas': '2',
          'unclean.leader.election.enable': 'true',
          'auto.leader.rebalance.enable': 'false',
          'leader.imbalance.per.broker.percentage': '25',
        },
      },
    });
  });

  it.each([
    [{ minInsyncReplicas: '0' }, 'min-insync-replicas: must be an integer 1-32767 (set by --min-insync-replicas)'],
    [
      { uncleanLeaderElectionEnable: 'yes' },
      'unclean-leader-election-enable: "yes" must be true or false (set by --unclean-leader-election-enable)',
    ],
    [
      { leaderImbalancePerBrokerPercentage: '101' },
      'leader-imbalance-per-broker-percentage: must be an integer 0-100 (set by --leader-imbalance-per-broker-percentage)',
    ],
  ])('a bad value %o is refused naming the setting and its source', (flags, message) => {
    expect(settings({ flags: { ...base, ...flags } })).toEqual({ ok: false, error: 'invalid_config', message });
  });

  it('a bad value in the config file names the file key', () => {
    const file = { path: 'c.properties', values: new Map([['auto.leader.rebalance.enable', 'maybe']]) };
    expect(settings({ file })).toMatchObject({
      ok: false,
      message:
        'auto-leader-rebalance-enable: "maybe" must be true or false (set by auto.leader.rebalance.enable in c.properties)',
    });
  });
});
