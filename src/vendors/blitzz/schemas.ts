import { z } from 'zod';
import type { Delivery } from '../../domain/delivery.js';

/**
 * `POST /api/login` body (REFERENCE §1 "Authentication", [P:B2]): three required strings. The
 * documents spell the fields in PascalCase only, so no other casing is accepted or sent.
 */
export const LoginRequest = z
  .object({
    SecretKey: z.string().min(1),
    UserName: z.string().min(1),
    Password: z.string().min(1),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

/**
 * The login answer ([P:B2]). Only `UserToken` is needed; the rest is listed for reference and
 * optional, because the documents give no example and only type `LoginId`/`DomainId` (int).
 */
export const LoginAnswer = z
  .object({
    UserToken: z.string().min(1),
    RefreshToken: z.string().nullish(),
    UserId: z.union([z.string(), z.number()]).nullish(),
    LoginId: z.number().int().nullish(),
    DomainId: z.number().int().nullish(),
    DomainName: z.string().nullish(),
    RoleCode: z.string().nullish(),
    CountryCode: z.string().nullish(),
    PhoneNo: z.string().nullish(),
  })
  .loose();
export type LoginAnswer = z.infer<typeof LoginAnswer>;

/**
 * `InvitationType`, as seed 000 contradicts itself on its range: the prose defines 1 SMS,
 * 2 WhatsApp and 3 e-mail ("three type of invitations"), the schema's enum lists 1–6 and its
 * `maximum` says 5 (REFERENCE §1 "Ambiguities"). The widest reading, the enum's 1–6, is what may
 * be sent, and only a number BLITZZ_INVITATION_TYPES names ever is (settings.ts).
 */
export const INVITATION_TYPE_MIN = 1;
export const INVITATION_TYPE_MAX = 6;
export const InvitationType = z.int().min(INVITATION_TYPE_MIN).max(INVITATION_TYPE_MAX);
export type InvitationType = z.infer<typeof InvitationType>;

/** The prose's numbering (seed 000: "please use 1 for SMS, 2 for WhatsApp and 3 for Email Invite"). */
export const DEFAULT_INVITATION_TYPES = { sms: 1, whatsapp: 2, email: 3 } as const satisfies Record<Delivery, InvitationType>;

/**
 * `POST /api/session/{SessionId}/invitation` body, as documented in seed 000 (`additionalProperties:
 * false`, hence `.strict()`; every property but `InvitationType` optional and nullable).
 */
export const InvitationBody = z
  .object({
    InvitationType,
    IsoCode: z.string().nullable().optional(),
    MobileNo: z.string().nullable().optional(),
    EmailAddress: z.email().max(255).nullable().optional(),
    Message: z.string().max(100).nullable().optional(),
    QueryStringParameter: z.string().nullable().optional(),
  })
  .strict();
export type InvitationBody = z.infer<typeof InvitationBody>;

/**
 * The invitation answer. Seed 000 documents only "200 Success", and its representation repeats
 * the request schema (likely copy-paste, REFERENCE §1 "Responses": real fields [U]). Nothing is
 * read from it, so any body is accepted: JSON of any shape, or none at all.
 */
export const InvitationAnswer = z.unknown();
export type InvitationAnswer = z.infer<typeof InvitationAnswer>;

/**
 * Error bodies are [U] (REFERENCE §1). Blitzz runs on ASP.NET (seed 000's C# sample, Swagger-style
 * schema), whose error bodies carry `Message` (Web API) or `title` (ProblemDetails); `message` and
 * `error` are read too. A bare JSON string is handled by the client.
 */
export const BlitzzErrorBody = z
  .object({
    Message: z.string().optional(),
    message: z.string().optional(),
    error: z.string().optional(),
    title: z.string().optional(),
  })
  .loose();
