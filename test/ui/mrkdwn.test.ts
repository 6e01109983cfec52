import assert from 'node:assert/strict';
import { escapeMrkdwn, fitMrkdwn, link, messageText, slackDate, SLACK_LIMITS, truncate } from '../../src/ui/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it('escapes &, < and >, & first', () => {
    assert.equal(escapeMrkdwn('<!channel> & <@U1> &lt;'), '&lt;!channel&gt; &amp; &lt;@U1&gt; &amp;lt;');
  });

  it('leaves other text alone', () => {
    assert.equal(escapeMrkdwn('*bold* _it_ “quotes” é'), '*bold* _it_ “quotes” é');
  });
});

describe('link', () => {
  it('escapes the label and keeps the URL from breaking out', () => {
    assert.equal(link('https://x.test/a b|c>d<e', 'A|B <C> & D'), '<https://x.test/a%20b%7Cc%3Ed%3Ce|A¦B &lt;C&gt; &amp; D>');
  });
});

describe('slackDate', () => {
  it('formats for each reader with a UTC fallback', () => {
    assert.equal(slackDate('2025-03-04T10:00:59.900Z'), '<!date^1741082459^{date_short_pretty} at {time}|2025-03-04 10:00 UTC>');
    assert.equal(slackDate('2025-03-04T10:00:00Z', '{date}'), '<!date^1741082400^{date}|2025-03-04 10:00 UTC>');
  });
});

describe('truncate', () => {
  it('keeps short text and cuts long text to the limit with an ellipsis', () => {
    assert.equal(truncate('abc', 3), 'abc');
    assert.equal(truncate('abcd', 3), 'ab…');
  });
});

describe('truncate at a safe place', () => {
  it('never splits an escape', () => {
    assert.equal(truncate('ab&amp;cdef', 6), 'ab…');
    assert.equal(truncate('ab&amp;cdef', 8), 'ab&amp;…');
  });

  it('never leaves half a Slack token', () => {
    assert.equal(truncate('see <https://x.test/a|the card> now', 12), 'see …');
    assert.equal(truncate('hi <@U0AGENT> there', 10), 'hi …');
  });

  it("shortens a link's label and keeps the link", () => {
    assert.equal(truncate('see <https://x.test/a|the session card> now', 30), 'see <https://x.test/a|the se…>');
    assert.equal(truncate('see <https://x.test/a|&amp;&amp;&amp;> now', 30), 'see <https://x.test/a|&amp;…>');
  });

  it('never splits an emoji', () => {
    const cut = truncate('ab😀cd', 4);
    assert.equal(cut, 'ab…');
    assert.equal(cut.length <= 4, true);
  });

  it('always ends within the limit', () => {
    for (let max = 1; max < 30; max++) assert.ok(truncate('&amp;<@U1> 😀'.repeat(5), max).length <= max, String(max));
  });
});

describe('fitMrkdwn', () => {
  it('escapes, then fits: the result is within the limit and carries no live token', () => {
    const fitted = fitMrkdwn('<!channel> & <@U123> '.repeat(500), SLACK_LIMITS.contextText);
    assert.ok(fitted.length <= SLACK_LIMITS.contextText);
    assert.equal(/<[!@#]|&(?!amp;|lt;|gt;)/.test(fitted), false);
    assert.ok(fitted.endsWith('…'));
  });
});

describe('messageText', () => {
  it("keeps a message's text within Slack's 40,000 characters", () => {
    assert.equal(messageText('short'), 'short');
    assert.equal(messageText('x'.repeat(50_000)).length, 40_000);
  });
});
