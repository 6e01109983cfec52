import { randomUUID } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { MilestoneKey } from '../domain/milestones.js';
import type { NewMilestoneRow, SessionRow } from '../store/schema.js';

/** An outbox row for one milestone of a session; `key` makes it unique per session. */
export function milestoneRow(session: Pick<SessionRow, 'id' | 'team_id' | 'enterprise_id'>, key: MilestoneKey, text: string, blocks?: KnownBlock[]): NewMilestoneRow {
  return {
    id: randomUUID(),
    session_id: session.id,
    team_id: session.team_id,
    enterprise_id: session.enterprise_id,
    key,
    text,
    blocks: blocks ? JSON.stringify(blocks) : null,
    created_at: new Date().toISOString(),
    posted_ts: null,
    posted_at: null,
  };
}
