import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { installerReceiverOptions, type TracedInstallationStore } from '../../src/http/oauth-install.js';
import { requestCorrelationId } from '../../src/observability/request-gate.js';

/** A store that only records which installation it was told came with which request id. */
function recordingStore(): TracedInstallationStore & { traced: Array<[object, string]> } {
  const traced: Array<[object, string]> = [];
  return {
    traced,
    traceInstall: (installation, correlationId) => void traced.push([installation, correlationId]),
    storeInstallation: async () => undefined,
    fetchInstallation: async () => {
      throw new Error('not used');
    },
  };
}

describe('installerReceiverOptions', () => {
  const oauth = { clientId: 'client', clientSecret: 'secret', stateSecret: 'state-secret-0123456789' };

  it('ties each installation to the redirect request’s correlation id before Bolt stores it, and lets it proceed', async () => {
    const store = recordingStore();
    const options = installerReceiverOptions(oauth, 'https://slack.com/api/', store, {});
    const req = { headers: {} } as IncomingMessage;
    const id = requestCorrelationId(req);
    const installation = { team: { id: 'T0AAA' } };
    assert.equal(await options.installerOptions.callbackOptions.afterInstallation(installation, {}, req), true);
    assert.deepEqual(store.traced, [[installation, id]]);
  });

  it('ties nothing to a request the gate gave no id (the store then gives the install one of its own)', async () => {
    const store = recordingStore();
    const options = installerReceiverOptions(oauth, 'https://slack.com/api/', store, {});
    assert.equal(await options.installerOptions.callbackOptions.afterInstallation({}, {}, { headers: {} } as IncomingMessage), true);
    assert.deepEqual(store.traced, []);
  });
});
