import { isValidTopicName } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

describe('isValidTopicName', () => {
  it.each(['a', 'orders.v1', 'my_topic-2', 'A'.repeat(249), '...'])('accepts %s', (name) => {
    expect(isValidTopicName(name)).toBe(true);
  });

  it.each(['', '.', '..', 'a b', 'a/b', 'ümlaut', 'A'.repeat(250), 'tab\t'])('rejects %j', (name) => {
    expect(isValidTopicName(name)).toBe(false);
  });
});
