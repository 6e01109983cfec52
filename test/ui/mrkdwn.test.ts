import assert from 'node:assert/strict';
import { escapeMrkdwn, link, slackDate, truncate } from '../../src/ui/mrkdwn.js';

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
