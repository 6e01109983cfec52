/**
 * An OAuth install as a person does it in a browser: open the app's `/slack/install` page (which
 * sets the state cookie), follow its "Add to Slack" link to Slack's consent page (the stand-in's,
 * which approves at once and sends the browser back with a code and the state), and follow that
 * back to the app's `/slack/oauth_redirect` with the cookie. Used by the tests and the demo.
 */

export interface InstallAs {
  /** The workspace to install in (Slack's own `team` parameter of the consent page). */
  team?: string;
  /** An Enterprise Grid organisation: with `orgWide`, an org-wide install. */
  enterprise?: string;
  orgWide?: boolean;
  /** Leave the state cookie out, as another browser would (the app must refuse). */
  withoutCookie?: boolean;
}

export interface InstallOutcome {
  /** The app's answer to the redirect: 200 and its "Thank you" page when installed. */
  status: number;
  page: string;
}

export const OAUTH_CLIENT = { clientId: '1234567890.0987654321', clientSecret: 'sandbox-client-secret', stateSecret: 'sandbox-state-secret-0123456789' };

export async function installThroughOAuth(appUrl: string, as: InstallAs = {}): Promise<InstallOutcome> {
  const landing = await fetch(new URL('/slack/install', appUrl), { redirect: 'manual' });
  if (landing.status !== 200) throw new Error(`GET /slack/install answered ${landing.status}`);
  const cookie = landing.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const href = /href="([^"]*\/oauth\/v2\/authorize[^"]*)"/.exec(await landing.text())?.[1];
  if (!href) throw new Error('the install page has no "Add to Slack" link');
  const consentUrl = new URL(href.replace(/&amp;/g, '&'));
  if (as.team) consentUrl.searchParams.set('team', as.team);
  if (as.enterprise) consentUrl.searchParams.set('enterprise', as.enterprise);
  if (as.orgWide) consentUrl.searchParams.set('org_wide', '1');
  const consent = await fetch(consentUrl, { redirect: 'manual' });
  const back = consent.headers.get('location');
  if (consent.status !== 302 || !back) throw new Error(`Slack's consent page answered ${consent.status}`);
  const done = await fetch(back, { redirect: 'manual', headers: as.withoutCookie ? {} : { cookie } });
  return { status: done.status, page: await done.text() };
}
