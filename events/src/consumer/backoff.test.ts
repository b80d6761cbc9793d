import assert from 'node:assert/strict';
import { backoffSeconds } from './backoff.ts';

describe('backoffSeconds', () => {
  it('when attempts fail in a row, then the delay doubles from the base up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((count) => backoffSeconds(count, { baseSeconds: 5, maxSeconds: 60 }));

    assert.deepEqual(delays, [5, 10, 20, 40, 60, 60]);
  });

  it('when the cap exceeds what SQS allows, then it is held at 12 hours', () => {
    assert.equal(backoffSeconds(40, { baseSeconds: 5, maxSeconds: 10 ** 9 }), 43_200);
  });
});
