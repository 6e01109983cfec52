import { z } from 'zod';
import { detailsReader } from '../details.js';

/** What a ShowMe invitation keeps for Resend: its session code and message (seed 000). */
export const ShowMeDetails = z.object({
  session_id: z.string().optional(),
  message: z.string().optional(),
});
export const readShowMeDetails = detailsReader(ShowMeDetails);
