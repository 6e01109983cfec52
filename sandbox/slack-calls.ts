/**
 * The Calls API of the Slack stand-in (calls.add, calls.update, calls.end, calls.info), as
 * Slack's method pages document them: required arguments refused with `invalid_arguments`, an
 * unknown call id with `invalid_call_id`, ending a call twice answered `inactive_call`; and the
 * `call` block, which chat.postMessage/chat.update accept only with a call id registered here.
 */

export type CallArgs = Record<string, unknown>;

/** A call as calls.info answers it, plus what the stand-in keeps for tests. */
export interface FakeCall {
  id: string;
  external_unique_id: string;
  join_url: string;
  title?: string;
  date_start: number;
  date_end?: number;
  duration?: number;
  created_by?: string;
  external_display_id?: string;
  desktop_app_join_url?: string;
  users: unknown[];
  /** The workspace whose token registered it. */
  teamId?: string;
}

/** A refusal the stand-in turns into `{ok:false, error}` (with problems for invalid_arguments). */
export class CallsRefusal extends Error {
  constructor(
    readonly error: string,
    readonly problems: string[] = [],
  ) {
    super(error);
  }
}

function missing(args: CallArgs, ...names: string[]): void {
  const absent = names.filter((name) => args[name] === undefined || args[name] === null || args[name] === '');
  if (absent.length > 0) throw new CallsRefusal('invalid_arguments', absent.map((name) => `missing required field: ${name}`));
}

/** Form-encoded integers arrive as strings. */
function integerArg(args: CallArgs, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number)) throw new CallsRefusal('invalid_arguments', [`${name} must be an integer`]);
  return number;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class FakeCalls {
  private readonly calls = new Map<string, FakeCall>();
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Every call registered, in order. */
  all(): FakeCall[] {
    return [...this.calls.values()];
  }

  get(id: string): FakeCall | undefined {
    return this.calls.get(id);
  }

  /**
   * `calls.add`: external_unique_id and join_url required; created_by too, since the stand-in's
   * callers hold bot tokens ("Otherwise, the field is required").
   */
  add(args: CallArgs, teamId?: string): CallArgs {
    missing(args, 'external_unique_id', 'join_url');
    missing(args, 'created_by');
    const id = `R${String(++this.sequence).padStart(8, '0')}`;
    const call: FakeCall = {
      id,
      external_unique_id: String(args.external_unique_id),
      join_url: String(args.join_url),
      date_start: integerArg(args, 'date_start') ?? Math.floor(this.now() / 1000),
      users: Array.isArray(args.users) ? args.users : [],
    };
    for (const key of ['title', 'created_by', 'external_display_id', 'desktop_app_join_url'] as const) {
      const value = stringOf(args[key]);
      if (value !== undefined) call[key] = value;
    }
    if (teamId !== undefined) call.teamId = teamId;
    this.calls.set(id, call);
    return { call: this.view(call) };
  }

  /** `calls.update`: id required; title, join_url and desktop_app_join_url may change. */
  update(args: CallArgs): CallArgs {
    const call = this.known(args);
    for (const key of ['title', 'join_url', 'desktop_app_join_url'] as const) {
      const value = stringOf(args[key]);
      if (value !== undefined) call[key] = value;
    }
    return { call: this.view(call) };
  }

  /** `calls.end`: id required, duration (seconds) optional; a call already ended says `inactive_call` (with ok:true, as Slack's sample). */
  end(args: CallArgs): CallArgs {
    const call = this.known(args);
    const duration = integerArg(args, 'duration');
    if (call.date_end !== undefined) return { error: 'inactive_call' };
    call.date_end = Math.floor(this.now() / 1000);
    if (duration !== undefined) call.duration = duration;
    return {};
  }

  info(args: CallArgs): CallArgs {
    return { call: this.view(this.known(args)) };
  }

  /** Problems with the `call` blocks of a message: each needs a call id registered here. */
  callBlockProblems(blocks: unknown): string[] {
    if (!Array.isArray(blocks)) return [];
    return blocks.flatMap((block: unknown, index) => {
      if (typeof block !== 'object' || block === null || (block as { type?: unknown }).type !== 'call') return [];
      const callId = (block as { call_id?: unknown }).call_id;
      return typeof callId === 'string' && this.calls.has(callId) ? [] : [`/blocks/${index}/call_id: no call registered with id ${String(callId)}`];
    });
  }

  private known(args: CallArgs): FakeCall {
    missing(args, 'id');
    const call = this.calls.get(String(args.id));
    if (!call) throw new CallsRefusal('invalid_call_id');
    return call;
  }

  private view(call: FakeCall): CallArgs {
    const { teamId: _team, ...shown } = call;
    return { ...shown };
  }
}
