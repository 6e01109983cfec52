import assert from 'node:assert/strict';
import type { KnownBlock, ModalView } from '@slack/types';
import { refusedViewModal, scopeOf, withScope } from '../../src/ui/view-scope.js';
import { blockKitProblems } from '../helpers/block-kit.js';

const modal = (privateMetadata?: string): ModalView => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Start a remote session' },
  blocks: [],
  ...(privateMetadata === undefined ? {} : { private_metadata: privateMetadata }),
});

describe('view scope in private_metadata', () => {
  it("adds the workspace beside the view's own fields and reads it back", () => {
    const view = withScope(modal('{"channelId":"C0SUPPORT","vendor":"apizee"}'), { teamId: 'T0001', enterpriseId: 'E0GRID' });
    assert.deepEqual(JSON.parse(view.private_metadata!), { channelId: 'C0SUPPORT', vendor: 'apizee', scope: { t: 'T0001', e: 'E0GRID' } });
    assert.deepEqual(scopeOf(view.private_metadata), { teamId: 'T0001', enterpriseId: 'E0GRID' });
    assert.deepEqual(scopeOf(withScope(modal(), { teamId: 'T0001', enterpriseId: null }).private_metadata), { teamId: 'T0001', enterpriseId: undefined });
  });

  it('replaces a scope already there (a view switched in place keeps one)', () => {
    const twice = withScope(withScope(modal('{}'), { teamId: 'T0001' }), { teamId: 'T0002' });
    assert.deepEqual(JSON.parse(twice.private_metadata!), { scope: { t: 'T0002' } });
  });

  it('reads no scope from metadata without one, unreadable or of the wrong shape', () => {
    for (const raw of [undefined, '', '{}', 'not json', '[1,2]', '"text"', '{"scope":"T0001"}', '{"scope":{"t":""}}', '{"scope":{"t":7}}']) {
      assert.equal(scopeOf(raw), undefined, String(raw));
    }
  });

  it('keeps unreadable metadata from breaking the view', () => {
    assert.deepEqual(JSON.parse(withScope(modal('oops'), { teamId: 'T0001' }).private_metadata!), { scope: { t: 'T0001' } });
  });

  it('draws a refusal Slack accepts: words and nothing to submit', () => {
    const view = refusedViewModal('Nothing was started.');
    assert.deepEqual(blockKitProblems(view.blocks as KnownBlock[]), []);
    assert.ok(view.title.text.length <= 24);
    assert.equal(view.submit, undefined);
    assert.match(JSON.stringify(view.blocks), /Nothing was started/);
  });
});
