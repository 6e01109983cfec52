import { z } from 'zod';
import { detailsReader } from '../details.js';

/** An SMS-session invitation: the operation's `referenceId` and who was brought in (seed 001). */
export const SmsInviteDetails = z.object({ reference_id: z.number().optional(), target: z.string().optional() });
export const readSmsInviteDetails = detailsReader(SmsInviteDetails);
