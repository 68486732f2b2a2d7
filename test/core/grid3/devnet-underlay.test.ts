/** The planner's one exception to grid_client's "public" rule: the v3 devnet's documentation blocks. */
import { describe, expect, it } from 'vitest';
import { isDevnetUnderlay, isPlannedPublic, isPublicAddress } from '../../../src/core/grid3/endpoints.js';

describe('the devnet underlay counts as public for planning, and nothing else does', () => {
  it.each(['198.51.100.11', '198.51.100.255', '2001:db8:1::b', '2001:db8:1:0:ffff::1'])('%s', (a) => {
    expect(isPublicAddress(a)).toBe(false); // grid_client's rule (private-ip): a documentation block
    expect(isDevnetUnderlay(a)).toBe(true);
    expect(isPlannedPublic(a)).toBe(true);
  });
  it.each(['192.0.2.1', '198.18.0.1', '203.0.113.5', '2001:db8:2::1', '10.0.0.1', '100.64.0.1', 'fe80::1'])(
    '%s stays private',
    (a) => {
      expect(isDevnetUnderlay(a)).toBe(false);
      expect(isPlannedPublic(a)).toBe(false);
    },
  );
  it('public addresses stay public', () => {
    expect(isPlannedPublic('185.69.166.7')).toBe(true);
    expect(isPlannedPublic('2a02:1802:5e::1')).toBe(true);
  });
});
