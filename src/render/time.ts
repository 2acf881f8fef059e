// Times for a person read in this machine's time zone, as gh and stripe show them; --json and files keep ISO UTC.

const two = (n: number) => String(n).padStart(2, '0');

/** `14:03:07`, local. */
export function localClock(time: Date | string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(d.getTime()) ? String(time) : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `2026-11-30 14:03:07`, local. */
export function localDateTime(time: Date | string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(d.getTime())) return String(time);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${localClock(d)}`;
}

/** `2026-11-30 14:03:07 -05:00`: local, with its offset, where a time stands alone and may be compared with another source's. */
export function localDateTimeWithZone(time: Date | string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(d.getTime())) return String(time);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return `${localDateTime(d)} ${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
}
