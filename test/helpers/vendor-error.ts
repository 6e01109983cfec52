import assert from 'node:assert/strict';
import { VendorError } from '../../src/vendors/errors.js';

/** The VendorError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function vendorError(promise: Promise<unknown>): Promise<VendorError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VendorError, `expected a VendorError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
