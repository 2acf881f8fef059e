// Times for a person read in this machine's time zone, as gh and stripe show them; --json and files keep ISO UTC.

const two = (n: number) => String(n).padStart(2, '0');

/** `format` applied to the time; a text that is no time (a hand-edited history line) is shown as it is. */
function shown(time: Date | string, format: (d: Date) => string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(d.getTime()) ? String(time) : format(d);
}

/** `14:03:07`, local. */
export const localClock = (time: Date | string): string => shown(time, (d) => `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`);

/** `2026-11-30 14:03:07`, local. */
export const localDateTime = (time: Date | string): string =>
  shown(time, (d) => `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${localClock(d)}`);

/** `2026-11-30 14:03:07 -05:00`: local, with its offset, where a time stands alone and may be compared with another source's. */
export const localDateTimeWithZone = (time: Date | string): string =>
  shown(time, (d) => {
    const offset = -d.getTimezoneOffset();
    return `${localDateTime(d)} ${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  });
