import { z } from 'zod';
import { detailsReader } from '../details.js';

/** The web-chat token's limits as Imbee answered them (`POST /token/new`, seed 004). */
export const WebChatDetails = z.object({
  date_limit: z.string().nullish(),
  max_retries: z.number().nullish(),
  previously_created: z.boolean().nullish(),
});
export const readWebChatDetails = detailsReader(WebChatDetails);
