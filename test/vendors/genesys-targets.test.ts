import assert from 'node:assert/strict';
import { parseTarget, TARGET_PATTERN, targetRefusal, targetUriOf } from '../../src/vendors/genesys/targets.js';

/** What the agent writes → what is sent (`targetUri` for a URI, `targetPath` for a path), or refused. */
const CASES: Array<[string, { form: 'uri' | 'path'; value: string; kind: 'user' | 'queue'; id: string } | 'refused']> = [
  ['agent:7f3a9c', { form: 'path', value: '/users/7f3a9c', kind: 'user', id: '7f3a9c' }],
  ['Agent:jane.doe', { form: 'path', value: '/users/jane.doe', kind: 'user', id: 'jane.doe' }],
  ['user:42', { form: 'path', value: '/users/42', kind: 'user', id: '42' }],
  ['queue:sms-overflow', { form: 'path', value: '/queues/sms-overflow', kind: 'queue', id: 'sms-overflow' }],
  ['/users/agent-2', { form: 'path', value: '/users/agent-2', kind: 'user', id: 'agent-2' }],
  ['/api/v2/queues/support_fr', { form: 'path', value: '/api/v2/queues/support_fr', kind: 'queue', id: 'support_fr' }],
  ['http://localhost:8080/api/v2/users/429a55994ef64991', { form: 'uri', value: 'http://localhost:8080/api/v2/users/429a55994ef64991', kind: 'user', id: '429a55994ef64991' }],
  ['  https://gws.example/api/v2/queues/q1  ', { form: 'uri', value: 'https://gws.example/api/v2/queues/q1', kind: 'queue', id: 'q1' }],
  ['Support FR', 'refused'],
  ['queue:Support FR', 'refused'],
  ['agent@example.com', 'refused'],
  ['agent:', 'refused'],
  ['/contacts/1', 'refused'],
  // The seed's sample names a contact (a customer), not a user or a queue.
  ['http://localhost:8080/api/v2/contacts/429a55994ef64991a77acb77c1cf9041', 'refused'],
  ['https://gws.example/api/v2/users/1?x=y', 'refused'],
  ['ftp://gws.example/api/v2/users/1', 'refused'],
  ['javascript:alert(1)//users/1', 'refused'],
];

describe('Genesys targets (seed 001 "Invite": targetUri or targetPath, a user or a queue)', () => {
  for (const [written, expected] of CASES) {
    it(`${JSON.stringify(written)} → ${expected === 'refused' ? 'refused' : `${expected.form} ${expected.value}`}`, () => {
      const parsed = parseTarget(written);
      assert.deepEqual(parsed ?? 'refused', expected);
      // The modal's field rule says the same as the grammar.
      assert.equal(TARGET_PATTERN.test(written), expected !== 'refused');
    });
  }

  it('refuses free text in words that say what to write instead', () => {
    assert.equal(
      targetRefusal('Support FR'),
      '"Support FR" is not a Genesys user or queue. Give agent:<id>, queue:<id>, a user or queue URI (https://…/api/v2/users/<id>) or a path (/users/<id>, /queues/<id>).',
    );
    assert.match(targetRefusal(), /^A Genesys user or queue is needed, not a name\. Give agent:<id>/);
  });

  it('makes a path a URI under the deployment for the sample\'s userUri', () => {
    assert.equal(targetUriOf(parseTarget('agent:a1')!, 'http://gws:8080/'), 'http://gws:8080/api/v2/users/a1');
    assert.equal(targetUriOf(parseTarget('/api/v2/queues/q')!, 'http://gws:8080'), 'http://gws:8080/api/v2/queues/q');
    assert.equal(targetUriOf(parseTarget('https://x/api/v2/users/u')!, 'http://gws:8080'), 'https://x/api/v2/users/u');
  });
});
