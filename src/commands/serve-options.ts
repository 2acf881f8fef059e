// Port and host flags shared by `mock` and `listen`.
import { UsageError } from '../errors.js';

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be 0 to 65535, got "${text}"`);
  return Number(text);
}

export function describeListenError(err: unknown, host: string, port: number): UsageError | unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`port ${port} on ${host} is already in use`, 'pick another with --port (0 picks a free one)');
  if (code === 'EACCES') return new UsageError(`not allowed to listen on ${host}:${port}`, 'use a port above 1023');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UsageError(`cannot listen on ${host}: no such local address`);
  return err;
}
