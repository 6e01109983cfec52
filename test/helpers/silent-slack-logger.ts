import { webApi } from '@slack/bolt';

/** A Slack SDK logger that says nothing: tests of the stand-in read answers, not the client's chatter. */
export const silentSlackLogger: webApi.Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => {},
};
