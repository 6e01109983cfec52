import assert from 'node:assert/strict';
import { actsFromOwnTeam, sameWorkspace } from '../../src/domain/actor.js';

describe('who acts, and where', () => {
  describe('sameWorkspace', () => {
    const cases: Array<[string, Parameters<typeof sameWorkspace>[0], Parameters<typeof sameWorkspace>[1], boolean]> = [
      ['the same team, no enterprise', { teamId: 'T1' }, { teamId: 'T1' }, true],
      ['another team', { teamId: 'T1' }, { teamId: 'T2' }, false],
      ['the same team and enterprise', { teamId: 'T1', enterpriseId: 'E1' }, { teamId: 'T1', enterpriseId: 'E1' }, true],
      ['a stored null enterprise is none', { teamId: 'T1', enterpriseId: null }, { teamId: 'T1' }, true],
      ['an empty enterprise id (outside Grid) is none', { teamId: 'T1', enterpriseId: '' }, { teamId: 'T1' }, true],
      ['an empty enterprise id on the request is none', { teamId: 'T1' }, { teamId: 'T1', enterpriseId: '' }, true],
      ['the same team id under another enterprise', { teamId: 'T1', enterpriseId: 'E1' }, { teamId: 'T1', enterpriseId: 'E2' }, false],
      ['an enterprise on one side only', { teamId: 'T1' }, { teamId: 'T1', enterpriseId: 'E1' }, false],
      ['an enterprise on the other side only', { teamId: 'T1', enterpriseId: 'E1' }, { teamId: 'T1' }, false],
      ['another workspace of the enterprise, through its org-wide installation', { teamId: 'T1', enterpriseId: 'E1' }, { teamId: 'T2', enterpriseId: 'E1', enterpriseInstall: true }, true],
      ['another enterprise, even through an org-wide installation', { teamId: 'T1', enterpriseId: 'E1' }, { teamId: 'T1', enterpriseId: 'E2', enterpriseInstall: true }, false],
      ['an org-wide flag without an enterprise changes nothing', { teamId: 'T1' }, { teamId: 'T2', enterpriseInstall: true }, false],
      ['an empty team id never matches', { teamId: '' }, { teamId: '' }, false],
    ];
    for (const [what, scope, actor, expected] of cases) {
      it(`${expected ? 'accepts' : 'refuses'} ${what}`, () => assert.equal(sameWorkspace(scope, actor), expected));
    }
  });

  describe('actsFromOwnTeam', () => {
    it("reads the user's own team, else the request's", () => {
      assert.equal(actsFromOwnTeam('T1', { teamId: 'T1', userTeamId: 'T1' }), true);
      assert.equal(actsFromOwnTeam('T1', { teamId: 'T1' }), true);
      assert.equal(actsFromOwnTeam('T1', { teamId: 'T1', userTeamId: 'T0GUEST' }), false, 'a Slack Connect guest');
      assert.equal(actsFromOwnTeam('T1', { teamId: 'T2' }), false);
    });
  });
});
