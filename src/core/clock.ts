// How far apart two clocks are, from one HTTP exchange: the reading doctor's clock check gives.

/**
 * How far this machine's clock is ahead of the gateway's (negative: behind), in whole seconds; 0 when they may agree.
 * The gateway stamped its Date header, whole seconds cut down, at some moment between `sentAt` and `answeredAt`
 * (this machine's ms): the skew lies between `sentAt - (date + 1000)` and `answeredAt - date`. A range holding 0 is
 * in step (a same-second reading of a mock on this machine is not "1 s ahead"); else its middle, to the second.
 */
export function clockSkew(sentAt: number, answeredAt: number, date: number): number {
  const low = sentAt - (date + 1000);
  const high = answeredAt - date;
  if (low <= 0 && high >= 0) return 0;
  return Math.round((low + high) / 2000) || 0;
}
