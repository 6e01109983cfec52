/**
 * The logger every layer is handed (pino's, created in src/logger.ts). Only its type lives here,
 * so that domain/ and vendors/ stay free of I/O and of the entry layer.
 */
export type { Logger } from 'pino';
