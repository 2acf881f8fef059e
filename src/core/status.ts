// Order status codes of query_order and the notify.

export const ORDER_STATUS: Readonly<Record<number, string>> = {
  0: 'created',
  1: 'paying',
  2: 'paid',
  3: 'paid and notified',
  4: 'cancelled by the system',
  9: 'cancelled by the user',
};

export function statusText(status: number | undefined): string {
  if (status === undefined) return 'unknown';
  return ORDER_STATUS[status] ?? `unknown status ${status}`;
}

export function isPaid(status: number | undefined): boolean {
  return status === 2 || status === 3;
}

/** Created or paying: a payment can still complete it. */
export function isPayable(status: number | undefined): boolean {
  return status === 0 || status === 1;
}

export function isCancelled(status: number | undefined): boolean {
  return status === 4 || status === 9;
}

/** A status that will not change any more: a wait can stop. */
export function isFinal(status: number | undefined): boolean {
  return isPaid(status) || isCancelled(status);
}

/** The status field as a number, whether it came as 2 or "2". */
export function parseStatus(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
