/**
 * Byte fixtures for IncrementalAlterConfigs (44) and DescribeCluster (60).
 * Each expected buffer is written field by field from the protocol grammar,
 * never by the encoder under test; both directions are checked.
 */
import { describe, expect, it } from 'vitest';
import { describeCluster } from '../src/messages/describe-cluster.ts';
import { incrementalAlterConfigs } from '../src/messages/incremental-alter-configs.ts';
import { encodeMessage } from '../src/schema/codec.ts';
import { testAdvertisedRanges } from './advertised-ranges.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('IncrementalAlterConfigs definitions', () => {
  testAdvertisedRanges([[incrementalAlterConfigs, 44, '0-1', '1+']]);

  const request = {
    resources: [
      {
        resourceType: 2,
        resourceName: 'orders',
        configs: [
          { name: 'retention.ms', configOperation: 0, value: '1000' },
          { name: 'cleanup.policy', configOperation: 1, value: null },
        ],
      },
    ],
    validateOnly: false,
  };

  it('v0 request uses classic strings and arrays with a null value for delete', () => {
    const fixture = new WireBytes()
      .array(1)
      .int8(2)
      .string('orders')
      .array(2)
      .string('retention.ms')
      .int8(0)
      .string('1000')
      .string('cleanup.policy')
      .int8(1)
      .string(null)
      .bool(false)
      .build();
    expectBothWays(incrementalAlterConfigs.request, 0, request, fixture);
  });

  it('v1 request is flexible: compact strings and arrays, tagged fields after every struct', () => {
    const fixture = new WireBytes()
      .compactArray(1)
      .int8(2)
      .compactString('orders')
      .compactArray(2)
      .compactString('retention.ms')
      .int8(0)
      .compactString('1000')
      .noTags()
      .compactString('cleanup.policy')
      .int8(1)
      .compactString(null)
      .noTags()
      .noTags()
      .bool(false)
      .noTags()
      .build();
    expectBothWays(incrementalAlterConfigs.request, 1, request, fixture);
  });

  it('v1 response carries a per-resource error code and message', () => {
    const value = {
      throttleTimeMs: 0,
      responses: [{ errorCode: 40, errorMessage: 'bad value', resourceType: 2, resourceName: 'orders' }],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .int16(40)
      .compactString('bad value')
      .int8(2)
      .compactString('orders')
      .noTags()
      .noTags()
      .build();
    expectBothWays(incrementalAlterConfigs.response, 1, value, fixture);
  });
});

describe('DescribeCluster definitions', () => {
  testAdvertisedRanges([[describeCluster, 60, '0-2', '0+']]);

  it('v0 request is one bool then tagged fields; endpointType decodes to its default', () => {
    const fixture = new WireBytes().bool(true).noTags().build();
    expectBothWays(describeCluster.request, 0, { includeClusterAuthorizedOperations: true }, fixture, {
      includeClusterAuthorizedOperations: true,
      endpointType: 1,
      includeFencedBrokers: false,
    });
  });

  it('v1 request carries the endpoint type', () => {
    const value = { includeClusterAuthorizedOperations: false, endpointType: 2 };
    const fixture = new WireBytes().bool(false).int8(2).noTags().build();
    expectBothWays(describeCluster.request, 1, value, fixture, { ...value, includeFencedBrokers: false });
  });

  it('v2 request asks for fenced brokers too', () => {
    const value = { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true };
    const fixture = new WireBytes().bool(false).int8(1).bool(true).noTags().build();
    expectBothWays(describeCluster.request, 2, value, fixture);
  });

  const response = {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: 1,
    clusterId: 'runnel-1',
    controllerId: 1,
    brokers: [
      { brokerId: 1, host: 'localhost', port: 9092, rack: null },
      { brokerId: 2, host: 'b2', port: 9093, rack: 'r1' },
    ],
    clusterAuthorizedOperations: -2147483648,
  };

  const unfenced = { ...response, brokers: response.brokers.map((b) => ({ ...b, isFenced: false })) };

  function responseBytes(version: number, fenced: readonly boolean[] = [false, false]): Buffer {
    const b = new WireBytes().int32(0).int16(0).compactString(null);
    if (version >= 1) b.int8(1);
    b.compactString('runnel-1').int32(1).compactArray(2);
    b.int32(1).compactString('localhost').int32(9092).compactString(null);
    if (version >= 2) b.bool(fenced[0] ?? false);
    b.noTags().int32(2).compactString('b2').int32(9093).compactString('r1');
    if (version >= 2) b.bool(fenced[1] ?? false);
    return b.noTags().int32(-2147483648).noTags().build();
  }

  it('v0 response lists brokers with nullable racks and has no endpoint type on the wire', () => {
    expectBothWays(describeCluster.response, 0, response, responseBytes(0), unfenced);
  });

  it('v1 response adds the endpoint type after the error message', () => {
    expectBothWays(describeCluster.response, 1, response, responseBytes(1), unfenced);
  });

  it('v2 response flags each broker fenced or not after its rack', () => {
    const value = { ...response, brokers: response.brokers.map((b, i) => ({ ...b, isFenced: i === 1 })) };
    expectBothWays(describeCluster.response, 2, value, responseBytes(2, [false, true]));
  });

  it('a fenced broker cannot be described below v2, which has no flag for it', () => {
    expect(() =>
      encodeMessage(describeCluster.response, 1, {
        ...response,
        brokers: [{ ...response.brokers[0], isFenced: true }],
      }),
    ).toThrow();
  });
});
