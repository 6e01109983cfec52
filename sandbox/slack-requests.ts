/**
 * Builds and sends requests the way Slack sends them to an app's `/slack/events` endpoint: slash
 * commands and interactions, form-encoded and signed with the app's signing secret (Slack's v0 scheme),
 * so the app's real request verification and payload parsing run in tests and in the offline demo.
 *
 * Given a fake Slack API, the payloads point back at it: response URLs and trigger ids it recognises,
 * and the actual message or view a button or submission comes from.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { FakeMessage, FakeSlackApi, FakeView, SharedLinksPlace, SlackArgs } from './slack-api.js';

export interface SlackSignatureHeaders {
  'X-Slack-Request-Timestamp': string;
  'X-Slack-Signature': string;
}

/** Slack's v0 request signature: hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed by the signing secret. */
export function signRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'X-Slack-Request-Timestamp': String(timestampSeconds), 'X-Slack-Signature': `v0=${digest}` };
}

export interface SlackAppResponse {
  status: number;
  /** Parsed JSON when the app answered JSON, otherwise the raw text ('' for a bare ack). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: IncomingHttpHeaders;
  /** Round-trip time: Slack gives up on an app that does not answer within 3 seconds. */
  ms: number;
}

export interface SlackRequesterOptions {
  /** Base URL of the app, e.g. `http://127.0.0.1:3000`; requests go to `${appUrl}/slack/events`. */
  appUrl: string;
  signingSecret: string;
  /** Defaults to the fake's team id, else `T0001`. */
  teamId?: string;
  teamDomain?: string;
  /** Defaults to the fake's app id. */
  apiAppId?: string;
  /** An Enterprise Grid workspace: its organisation, and whether the app is installed org-wide there. */
  enterpriseId?: string;
  orgWideInstall?: boolean;
  /** Legacy verification token Slack still puts in payloads. */
  verificationToken?: string;
  fakeSlack?: FakeSlackApi;
}

export interface SlashCommandOptions {
  command?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  triggerId?: string;
  responseUrl?: string;
}

export interface BlockActionOptions {
  actionId: string;
  value?: string;
  userId?: string;
  channelId?: string;
  /** The message holding the button; with a fake Slack API, its blocks are copied into the payload. */
  messageTs: string;
  /** Found in the message's blocks when omitted. */
  blockId?: string;
  /** Where the click happened (default the requester's team); see `InteractionOrigin`. */
  origin?: InteractionOrigin;
}

export interface ViewButtonOptions {
  /** The view holding the button, as the stand-in stored it (the Home tab, a modal). */
  view: SlackArgs;
  actionId: string;
  blockId: string;
  /** The button's label. */
  text: string;
  value?: string;
  style?: 'primary' | 'danger';
  userId?: string;
  origin?: InteractionOrigin;
}

/**
 * Which workspace an interaction comes from, and whose user: in a Slack Connect channel the
 * clicking user may belong to another team than the workspace the app acts in.
 */
export interface InteractionOrigin {
  /** The payload's `team.id` (default the requester's team). */
  teamId?: string;
  /** The payload's `enterprise.id` (default none). */
  enterpriseId?: string;
  /** The acting user's own team, `user.team_id` (default the payload's team). */
  userTeamId?: string;
}

export interface ResponseUrlRequest {
  blockId: string;
  actionId: string;
  channelId: string;
  /** Defaults to a response URL on the fake Slack API. */
  responseUrl?: string;
}

export interface ViewSubmissionOptions {
  callbackId: string;
  /** Defaults to the private_metadata of the view the fake opened. */
  privateMetadata?: string;
  /** `view.state.values`: block id → action id → element state. */
  values?: Record<string, Record<string, SlackArgs>>;
  userId?: string;
  /** Set when the modal has `response_url_enabled` inputs. */
  responseUrls?: ResponseUrlRequest[];
  /** The submitted view; defaults to the user's last view on the fake when its callback_id matches. */
  viewId?: string;
  origin?: InteractionOrigin;
}

export interface LinkSharedOptions {
  /** The links pasted, in order (each one's `domain` is its host). */
  urls: string[];
  userId?: string;
  channelId?: string;
  /** Posted in a message (default), or still in the message composer. */
  source?: 'conversations_history' | 'composer';
}

export interface EventOptions {
  /** Slack's id of the event, the same on each retry; a fresh one by default. */
  eventId?: string;
  /** Sent as `X-Slack-Retry-Num` (with `X-Slack-Retry-Reason: http_timeout`), as Slack does when it retries. */
  retryNum?: number;
  retryReason?: string;
}

const DEFAULT_USER_ID = 'U0AGENT';
const DEFAULT_CHANNEL_ID = 'C0SUPPORT';
const DEFAULT_COMMAND = '/rendezvous';

export class SlackRequester {
  private readonly eventsUrl: URL;
  private readonly signingSecret: string;
  private readonly teamId: string;
  private readonly teamDomain: string;
  private readonly apiAppId: string;
  private readonly verificationToken: string;
  private readonly fakeSlack: FakeSlackApi | undefined;
  private readonly enterpriseId: string | null;
  private readonly orgWideInstall: boolean;

  constructor(options: SlackRequesterOptions) {
    this.enterpriseId = options.enterpriseId ?? null;
    this.orgWideInstall = options.orgWideInstall ?? false;
    this.eventsUrl = new URL('/slack/events', options.appUrl);
    this.signingSecret = options.signingSecret;
    this.fakeSlack = options.fakeSlack;
    this.teamId = options.teamId ?? options.fakeSlack?.teamId ?? 'T0001';
    this.teamDomain = options.teamDomain ?? options.fakeSlack?.teamDomain ?? 'rendezvous-sandbox';
    this.apiAppId = options.apiAppId ?? options.fakeSlack?.appId ?? 'A0RENDEZVOUS';
    this.verificationToken = options.verificationToken ?? 'legacy-verification-token';
  }

  /** Sends a slash command exactly as Slack posts it. */
  slash(text: string, options: SlashCommandOptions = {}): Promise<SlackAppResponse> {
    return this.send(this.slashBody(text, options));
  }

  /**
   * One slash command delivered `1 + retries` times, byte for byte the same body (same trigger id
   * and response URL), the later ones with `X-Slack-Retry-Num`, as when Slack did not see the ack
   * in time. With `concurrent`, all at once (a retry racing the first delivery).
   */
  async slashRedelivered(text: string, options: SlashCommandOptions & { retries: number; concurrent?: boolean }): Promise<SlackAppResponse[]> {
    const body = this.slashBody(text, options);
    const deliver = (retryNum: number) =>
      this.post(body, {
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...(retryNum > 0 ? { 'X-Slack-Retry-Num': String(retryNum), 'X-Slack-Retry-Reason': 'http_timeout' } : {}),
        ...signRequest(this.signingSecret, body),
      });
    const numbers = Array.from({ length: options.retries + 1 }, (_, index) => index);
    if (options.concurrent) return Promise.all(numbers.map(deliver));
    const responses: SlackAppResponse[] = [];
    for (const retryNum of numbers) responses.push(await deliver(retryNum));
    return responses;
  }

  private slashBody(text: string, options: SlashCommandOptions): string {
    const userId = options.userId ?? DEFAULT_USER_ID;
    const channelId = options.channelId ?? DEFAULT_CHANNEL_ID;
    // Field order as in Slack's own payloads.
    const form = new URLSearchParams({
      token: this.verificationToken,
      team_id: this.teamId,
      team_domain: this.teamDomain,
      channel_id: channelId,
      channel_name: options.channelName ?? nameFromId(channelId),
      user_id: userId,
      user_name: options.userName ?? nameFromId(userId),
      command: options.command ?? DEFAULT_COMMAND,
      text,
      api_app_id: this.apiAppId,
      ...(this.enterpriseId ? { enterprise_id: this.enterpriseId } : {}),
      is_enterprise_install: String(this.orgWideInstall),
      response_url: options.responseUrl ?? this.newResponseUrl({ channelId, userId }),
      trigger_id: options.triggerId ?? this.newTriggerId(userId),
    });
    return form.toString();
  }

  /**
   * Sends an Events API event as Slack does: a signed JSON `event_callback` envelope. Send the same
   * `eventId` again with a `retryNum` to play Slack retrying a delivery it thinks failed.
   */
  event(event: object, options: EventOptions = {}): Promise<SlackAppResponse> {
    const eventId = options.eventId ?? newEventId();
    const envelope = {
      token: this.verificationToken,
      team_id: this.teamId,
      context_team_id: this.teamId,
      context_enterprise_id: this.enterpriseId,
      api_app_id: this.apiAppId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: this.enterpriseId,
          team_id: this.teamId,
          user_id: this.fakeSlack?.botUserId ?? 'U0BOT',
          is_bot: true,
          is_enterprise_install: this.orgWideInstall,
        },
      ],
      is_ext_shared_channel: false,
    };
    const rawBody = JSON.stringify(envelope);
    const retry: Record<string, string> =
      options.retryNum === undefined
        ? {}
        : { 'X-Slack-Retry-Num': String(options.retryNum), 'X-Slack-Retry-Reason': options.retryReason ?? 'http_timeout' };
    return this.post(rawBody, {
      'Content-Type': 'application/json',
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...retry,
      ...signRequest(this.signingSecret, rawBody),
    });
  }

  /**
   * Runs a Workflow Builder custom step as Slack does: a `function_executed` event whose
   * execution (id and `bot_access_token`) the stand-in issued, so that only this execution's
   * token completes it. `inputs` are the step's inputs as the workflow filled them in.
   */
  async functionExecuted(
    callbackId: string,
    inputs: Record<string, unknown>,
    options: EventOptions & { execution?: { functionExecutionId: string; token: string }; title?: string } = {},
  ): Promise<SlackAppResponse & { functionExecutionId: string; token: string }> {
    const execution = options.execution ?? this.fakeSlack?.startFunctionExecution(callbackId) ?? { functionExecutionId: `Fx${randomBytes(5).toString('hex').toUpperCase()}`, token: `xwfp-${randomBytes(12).toString('hex')}` };
    const now = Math.floor(Date.now() / 1000);
    const event = {
      type: 'function_executed',
      function: {
        id: `Fn${randomBytes(5).toString('hex').toUpperCase()}`,
        callback_id: callbackId,
        title: options.title ?? callbackId,
        description: '',
        type: 'app',
        input_parameters: Object.keys(inputs).map((name) => ({ type: 'string', name, description: '', title: name, is_required: false })),
        output_parameters: [],
        app_id: this.apiAppId,
        date_created: now,
        date_updated: now,
        date_deleted: 0,
      },
      inputs,
      function_execution_id: execution.functionExecutionId,
      workflow_execution_id: `Wx${randomBytes(5).toString('hex').toUpperCase()}`,
      event_ts: `${now}.000100`,
      bot_access_token: execution.token,
    };
    const response = await this.event(event, options);
    return { ...response, ...execution };
  }

  /**
   * A user pastes links of the app's unfurl domains: the stand-in learns the message (or composer
   * draft) that holds them, and Slack sends `link_shared` to the app. Returns the app's answer and
   * where the links are (what chat.unfurl must name).
   */
  async linkShared(options: LinkSharedOptions, eventOptions: EventOptions = {}): Promise<{ response: SlackAppResponse; place: SharedLinksPlace }> {
    const userId = options.userId ?? DEFAULT_USER_ID;
    const channel = options.channelId ?? DEFAULT_CHANNEL_ID;
    const source = options.source ?? 'conversations_history';
    const place: SharedLinksPlace = this.fakeSlack?.shareLinks({ channel, user: userId, urls: options.urls, source }) ?? {
      channel: source === 'composer' ? 'COMPOSER' : channel,
      messageTs: `${Math.floor(Date.now() / 1000)}.${String(Date.now() % 1000).padStart(6, '0')}`,
      unfurlId: `${userId}-${randomBytes(16).toString('hex')}`,
      source,
      urls: [...options.urls],
    };
    const response = await this.event(this.linkSharedEvent(place, userId), eventOptions);
    return { response, place };
  }

  /** The `link_shared` event for links at `place`, in Slack's shape (api.slack.com/events/link_shared). */
  linkSharedEvent(place: SharedLinksPlace, userId: string = DEFAULT_USER_ID): SlackArgs {
    return {
      type: 'link_shared',
      channel: place.channel,
      is_bot_user_member: true,
      user: userId,
      message_ts: place.messageTs,
      unfurl_id: place.unfurlId,
      source: place.source,
      links: place.urls.map((url) => ({ domain: new URL(url).hostname, url })),
      event_ts: place.source === 'composer' ? (Date.now() / 1000).toFixed(6) : place.messageTs,
    };
  }

  /** Sends an interaction payload (block_actions, view_submission, …) as Slack does: `payload=<json>`. */
  interaction(payload: object): Promise<SlackAppResponse> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  /** Sends anything, signed or not, for security tests. */
  raw(body: string | Buffer, headers: Record<string, string> = {}): Promise<SlackAppResponse> {
    return this.post(body, headers);
  }

  /** A `block_actions` payload for a button click in a view (the Home tab, a modal), as Slack sends it. */
  viewButton(options: ViewButtonOptions): SlackArgs {
    const userId = options.userId ?? DEFAULT_USER_ID;
    const origin = this.origin(options.origin);
    const action: SlackArgs = {
      action_id: options.actionId,
      block_id: options.blockId,
      text: { type: 'plain_text', text: options.text, emoji: true },
      type: 'button',
      action_ts: slackTimestamp(),
    };
    if (options.value !== undefined) action.value = options.value;
    if (options.style !== undefined) action.style = options.style;
    return {
      type: 'block_actions',
      user: this.user(userId, origin.userTeamId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      container: { type: 'view', view_id: options.view.id },
      trigger_id: this.newTriggerId(userId),
      team: origin.team,
      enterprise: origin.enterprise,
      is_enterprise_install: origin.orgWideInstall,
      view: options.view,
      state: { values: {} },
      actions: [action],
    };
  }

  /** A `block_actions` payload for a button click on a message. */
  blockAction(options: BlockActionOptions): SlackArgs {
    const userId = options.userId ?? DEFAULT_USER_ID;
    const channelId = options.channelId ?? DEFAULT_CHANNEL_ID;
    const message = this.fakeSlack?.message(channelId, options.messageTs);
    const located = message === undefined ? undefined : findAction(message, options.actionId);
    const action: SlackArgs = {
      action_id: options.actionId,
      block_id: options.blockId ?? located?.blockId ?? randomBlockId(),
      text: located?.text ?? { type: 'plain_text', text: options.actionId, emoji: true },
      type: 'button',
      action_ts: slackTimestamp(),
    };
    const value = options.value ?? located?.value;
    if (value !== undefined) action.value = value;
    const origin = this.origin(options.origin);
    return {
      type: 'block_actions',
      user: this.user(userId, origin.userTeamId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      container: { type: 'message', message_ts: options.messageTs, channel_id: channelId, is_ephemeral: false },
      trigger_id: this.newTriggerId(userId),
      team: origin.team,
      enterprise: origin.enterprise,
      is_enterprise_install: origin.orgWideInstall,
      channel: { id: channelId, name: nameFromId(channelId) },
      message: message === undefined ? { type: 'message', ts: options.messageTs } : this.messagePayload(message),
      state: { values: {} },
      response_url: this.newResponseUrl({ channelId, userId, messageTs: options.messageTs }),
      actions: [action],
    };
  }

  /** A `view_submission` payload for a modal submitted with the given input values. */
  viewSubmission(options: ViewSubmissionOptions): SlackArgs {
    const userId = options.userId ?? DEFAULT_USER_ID;
    const opened = this.openedView(options, userId);
    const origin = this.origin(options.origin);
    const viewId = opened?.id ?? options.viewId ?? `V${randomBytes(4).toString('hex').toUpperCase()}`;
    const view: SlackArgs = {
      id: viewId,
      team_id: origin.team.id,
      type: 'modal',
      blocks: [],
      title: { type: 'plain_text', text: 'Rendezvous' },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: viewId,
      app_id: this.apiAppId,
      external_id: '',
      app_installed_team_id: origin.team.id,
      bot_id: this.fakeSlack?.botId ?? 'B0BOT',
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      ...opened,
      callback_id: options.callbackId,
      private_metadata: options.privateMetadata ?? opened?.private_metadata ?? '',
      state: { values: options.values ?? {} },
    };
    return {
      type: 'view_submission',
      team: origin.team,
      user: this.user(userId, origin.userTeamId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      trigger_id: this.newTriggerId(userId),
      view,
      response_urls: (options.responseUrls ?? []).map((entry) => ({
        block_id: entry.blockId,
        action_id: entry.actionId,
        channel_id: entry.channelId,
        response_url: entry.responseUrl ?? this.newResponseUrl({ channelId: entry.channelId, userId }),
      })),
      is_enterprise_install: origin.orgWideInstall,
      enterprise: origin.enterprise,
    };
  }

  /** Where an interaction comes from: this requester's own workspace (and enterprise), unless `origin` names another. */
  private origin(origin: InteractionOrigin = {}): { team: SlackArgs; enterprise: SlackArgs | null; userTeamId: string; orgWideInstall: boolean } {
    const own = origin.teamId === undefined || origin.teamId === this.teamId;
    const teamId = origin.teamId ?? this.teamId;
    const enterpriseId = origin.enterpriseId ?? (own ? (this.enterpriseId ?? undefined) : undefined);
    return {
      team: { id: teamId, domain: own ? this.teamDomain : teamId.toLowerCase(), ...(enterpriseId ? { enterprise_id: enterpriseId } : {}) },
      enterprise: enterpriseId ? { id: enterpriseId, name: enterpriseId } : null,
      userTeamId: origin.userTeamId ?? teamId,
      orgWideInstall: own ? this.orgWideInstall : false,
    };
  }

  private openedView(options: ViewSubmissionOptions, userId: string): FakeView | undefined {
    if (this.fakeSlack === undefined) return undefined;
    if (options.viewId !== undefined) return this.fakeSlack.lastView(options.viewId);
    const last = this.fakeSlack.lastView(userId);
    return last?.callback_id === options.callbackId ? last : undefined;
  }

  private user(userId: string, teamId: string = this.teamId): SlackArgs {
    const name = nameFromId(userId);
    return { id: userId, username: name, name, team_id: teamId };
  }

  private messagePayload(message: FakeMessage): SlackArgs {
    const payload: SlackArgs = {
      type: 'message',
      user: message.user,
      bot_id: this.fakeSlack?.botId,
      app_id: this.apiAppId,
      text: message.text,
      ts: message.ts,
      team: this.teamId,
    };
    if (message.blocks !== undefined) payload.blocks = message.blocks;
    if (message.thread_ts !== undefined) payload.thread_ts = message.thread_ts;
    return payload;
  }

  private newResponseUrl(target: { channelId: string; userId: string; messageTs?: string }): string {
    if (this.fakeSlack !== undefined) return this.fakeSlack.responseUrl(undefined, target);
    const id = String(Date.now()) + String(Math.floor(Math.random() * 1000));
    return `https://hooks.slack.com/actions/${this.teamId}/${id}/${randomBytes(12).toString('hex')}`;
  }

  private newTriggerId(userId: string): string {
    if (this.fakeSlack !== undefined) return this.fakeSlack.triggerId(userId);
    return `${Date.now()}.${Math.floor(Math.random() * 1e10)}.${randomBytes(16).toString('hex')}`;
  }

  private send(rawBody: string): Promise<SlackAppResponse> {
    return this.post(rawBody, {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signRequest(this.signingSecret, rawBody),
    });
  }

  private post(body: string | Buffer, headers: Record<string, string>): Promise<SlackAppResponse> {
    const startedAt = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        this.eventsUrl,
        { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              body: parseBody(text, res.headers['content-type']),
              headers: res.headers,
              ms: performance.now() - startedAt,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

interface LocatedAction {
  blockId?: string;
  text?: unknown;
  value?: string;
}

/** Finds the element with `actionId` in a message's blocks, as a button the user could click. */
function findAction(message: FakeMessage, actionId: string): LocatedAction | undefined {
  for (const block of (message.blocks ?? []) as SlackArgs[]) {
    const elements: unknown[] = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(block.accessory === undefined ? [] : [block.accessory]),
    ];
    const element = elements.find(
      (candidate): candidate is SlackArgs =>
        typeof candidate === 'object' && candidate !== null && (candidate as SlackArgs).action_id === actionId,
    );
    if (element !== undefined) {
      return {
        blockId: typeof block.block_id === 'string' ? block.block_id : undefined,
        text: element.text,
        value: typeof element.value === 'string' ? element.value : undefined,
      };
    }
  }
  return undefined;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '' || !(contentType ?? '').includes('application/json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `U0AGENT` → `agent`, `C0SUPPORT` → `support`. */
function nameFromId(id: string): string {
  return id.slice(1).replace(/^0+/, '').toLowerCase() || id.toLowerCase();
}

/** Slack generates short random block ids when the app does not set one. */
function randomBlockId(): string {
  return randomBytes(3).toString('base64url');
}

/** `Ev` + 10 uppercase alphanumerics, like Slack's event ids. */
function newEventId(): string {
  return `Ev${randomBytes(8).toString('hex').toUpperCase().slice(0, 10)}`;
}

function slackTimestamp(): string {
  return (Date.now() / 1000).toFixed(6);
}
