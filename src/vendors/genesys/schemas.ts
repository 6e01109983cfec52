import { z } from 'zod';

// ----- REST: the SMS session operations (seed 001 "Invite"; REFERENCE §2) ----------------------

/**
 * `Invite` brings another agent, or a queue, into the customer's SMS session.
 *
 * The seed contradicts itself: its parameter table names `targetUri` (or `targetPath`), while its
 * sample request sends `userUri`. `GENESYS_INVITE_PARAMETER` picks the reading (default the
 * table's); each form is strict, so exactly one target parameter is ever sent.
 */
export const InviteRequest = z.union([
  z.strictObject({ operationName: z.literal('Invite'), targetUri: z.url() }),
  z.strictObject({ operationName: z.literal('Invite'), targetPath: z.string().regex(/^\/\S+$/) }),
  z.strictObject({ operationName: z.literal('Invite'), userUri: z.url() }),
]);
export type InviteRequest = z.infer<typeof InviteRequest>;

/** `SendUrl` pushes a link to the customer (REFERENCE §2, [P:G6]). */
export const SendUrlRequest = z.strictObject({
  operationName: z.literal('SendUrl'),
  url: z.url(),
});
export type SendUrlRequest = z.infer<typeof SendUrlRequest>;

/**
 * The HTTP answer only acknowledges the operation: `{statusCode, referenceId}`; errors add
 * `statusMessage` (REFERENCE §2 "Response and error model"). The outcome comes over CometD.
 */
export const OperationAnswer = z
  .object({
    statusCode: z.number().int(),
    referenceId: z.number().int().optional(),
    statusMessage: z.string().optional(),
  })
  .loose();
export type OperationAnswer = z.infer<typeof OperationAnswer>;

/** `GET /api/v2/me`: only its status matters here (it is read for the CSRF headers). */
export const MeAnswer = z.object({ statusCode: z.number().int().optional() }).loose();

// ----- CometD notifications (seed 001 "Notification"; REFERENCE §2 "CometD notifications") -----

export const SmsParticipant = z
  .object({ nickname: z.string(), type: z.string(), participantId: z.string() })
  .loose();
export type SmsParticipant = z.infer<typeof SmsParticipant>;

/** Seed samples also carry `capabilities[]` and `uri`; they are kept but not required. */
export const SmsSession = z
  .object({
    id: z.string(),
    state: z.string().optional(),
    participants: z.array(SmsParticipant).default([]),
  })
  .loose();
export type SmsSession = z.infer<typeof SmsSession>;

/**
 * Seed "Notification": only the `Error` sample carries `referenceId`; the successful ones
 * (`ParticipantsUpdated`, then `NewMessages`) name the SMS session, not the operation, so an
 * Invite's success is read from the session (see outcomes.ts).
 */
export const SmsSessionStateChange = z
  .object({
    messageType: z.literal('SMSsessionStateChangeMessage'),
    notificationType: z.enum(['ParticipantsUpdated', 'StatusChange', 'Error']),
    referenceId: z.number().int().optional(),
    errorMessage: z.string().optional(),
    smssession: SmsSession.optional(),
  })
  .loose();
export type SmsSessionStateChange = z.infer<typeof SmsSessionStateChange>;

/** Message types per [P:G5]: Text, ParticipantJoined/Left/Rejoined, TypingStarted/Stopped, PushUrl, Notice. */
export const LoggedMessage = z
  .object({
    index: z.number().int().optional(),
    type: z.string(),
    text: z.string().optional(),
    visibility: z.string().optional(),
    from: SmsParticipant.partial().loose().optional(),
  })
  .loose();
export type LoggedMessage = z.infer<typeof LoggedMessage>;

/** The seed's "Second Notification" (`MessageLogUpdated` / `NewMessages`). */
export const MessageLogUpdated = z
  .object({
    messageType: z.literal('MessageLogUpdated'),
    notificationType: z.string(),
    messages: z.array(LoggedMessage),
    smssessionUri: z.string().optional(),
  })
  .loose();
export type MessageLogUpdated = z.infer<typeof MessageLogUpdated>;

/** The `data` of a message on the SMS topic. */
export const SmsNotification = z.discriminatedUnion('messageType', [SmsSessionStateChange, MessageLogUpdated]);
export type SmsNotification = z.infer<typeof SmsNotification>;
