import { describe, expect, it } from 'vitest';
import {
  chooseWriter,
  decodeAssignment,
  decodeIdentity,
  encodeAssignment,
  encodeIdentity,
} from '../src/registry/writer-election.ts';

function member(memberId: string, url: string, eligible = true) {
  return { memberId, groupInstanceId: null, metadata: encodeIdentity({ url, eligible }) };
}

describe('chooseWriter', () => {
  it('names the group leader when it may write, so the writer stays put while others come and go', () => {
    const members = [member('a', 'http://a:8081'), member('b', 'http://b:8081'), member('c', 'http://c:8081')];
    expect(chooseWriter(members, 'b')).toEqual({ writerMemberId: 'b', writerUrl: 'http://b:8081' });
  });

  it('names the eligible member with the smallest id when the leader may not write', () => {
    const members = [member('c', 'http://c:8081'), member('a', 'http://a:8081', false), member('b', 'http://b:8081')];
    expect(chooseWriter(members, 'a')).toEqual({ writerMemberId: 'b', writerUrl: 'http://b:8081' });
  });

  it('names none when no member may write, and ignores metadata it cannot read', () => {
    const garbage = { memberId: 'x', groupInstanceId: null, metadata: Buffer.from('not json') };
    expect(chooseWriter([member('a', 'http://a:8081', false), garbage], 'x')).toEqual({
      writerMemberId: null,
      writerUrl: null,
    });
  });
});

describe('election codecs', () => {
  it('round-trip identities and assignments, and read damaged bytes as nothing', () => {
    expect(decodeIdentity(encodeIdentity({ url: 'http://g:1', eligible: false }))).toEqual({
      url: 'http://g:1',
      eligible: false,
    });
    expect(decodeIdentity(Buffer.from('{"eligible":true}'))).toBeNull();
    const assignment = { writerMemberId: 'm-1', writerUrl: 'http://g:1' };
    expect(decodeAssignment(encodeAssignment(assignment))).toEqual(assignment);
    expect(decodeAssignment(Buffer.alloc(0))).toBeNull();
  });
});
