import { z } from 'zod';
import { detailsReader } from '../details.js';

/** A Meets link's window and title (`POST /meets/meet`, REFERENCE §3). */
export const MeetDetails = z.object({ start_date: z.string().optional(), end_date: z.string().optional(), title: z.string().nullish() });
/** A room invitation's bridge and room (seed 002). */
export const RoomDetails = z.object({ bridge_id: z.number().optional(), room_id: z.number().optional(), name: z.string().nullish() });
export const readMeetDetails = detailsReader(MeetDetails);
export const readRoomDetails = detailsReader(RoomDetails);
