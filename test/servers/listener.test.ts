// The notify listener in-process, on loopback: what it remembers to mark a repeat stays bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/sign.js';
import { startListener, type Listener, type NotifyEvent } from '../../src/servers/listener.js';

const KEY = 'listener-test-key-0123456789';
let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('listener', () => {
  it('marks a repeat within its memory, forgets the oldest past it, and a repeat counts as recent again', async () => {
    const events: NotifyEvent[] = [];
    listener = await startListener({ key: KEY, port: 0, repeatMemory: 2, log: (e) => events.push(e) });
    const send = async (payOrderId: string) => {
      const fields = { payOrderId, amount: '100', status: '2' };
      const query = new URLSearchParams({ ...fields, sign: sign(fields, KEY) });
      const res = await fetch(`${listener!.url}/notify?${query}`);
      expect(await res.text()).toBe('success');
      return events.at(-1)!.repeat;
    };
    expect(await send('A')).toBe(false);
    expect(await send('B')).toBe(false);
    expect(await send('A')).toBe(true); // A is now the most recent
    expect(await send('C')).toBe(false); // B, the oldest, is forgotten
    expect(await send('A')).toBe(true);
    expect(await send('B')).toBe(false);
  });
});
