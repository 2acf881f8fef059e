// Amounts as integer cents: parsing user text without floats, and showing cents as money.

export const MAX_AMOUNT = 2147483647;

export type AmountParse = { ok: true; cents: number } | { ok: false; message: string };

/**
 * Parses a whole, positive number of cents. A decimal such as `28.65` is refused
 * with the cents it probably meant, worked out on the digits (never a float).
 */
export function parseCents(text: string, field = 'amount'): AmountParse {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const digits = t.replace(/^0+(?=\d)/, '');
    if (digits === '0') return { ok: false, message: `${field} must be more than 0 cents` };
    if (digits.length > 10 || Number(digits) > MAX_AMOUNT) {
      return { ok: false, message: `${field} ${t} is over the gateway's limit of ${MAX_AMOUNT} cents` };
    }
    return { ok: true, cents: Number(digits) };
  }
  const decimal = /^(\d*)[.,](\d+)$/.exec(t);
  if (decimal) {
    const [, whole = '', frac = ''] = decimal;
    if (frac.length <= 2) {
      const cents = `${whole}${frac.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
      return { ok: false, message: `${field} is in cents: did you mean ${cents}?` };
    }
    return { ok: false, message: `${field} is in cents, a whole number (e.g. 2865 for $28.65)` };
  }
  // A currency sign says the amount is in dollars (yuan, euros): $28.65, CA$10, ¥100. Not 1,000 (which separator?).
  const money = /^(?:[A-Z]{0,2}\$|[¥€£])\s*(\d+)(?:[.,](\d{1,2}))?$/.exec(t);
  if (money) {
    const [, whole = '', frac = ''] = money;
    const cents = `${whole}${frac.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
    return { ok: false, message: `${field} is in cents, without a currency sign (the currency is --currency): did you mean ${cents}?` };
  }
  if (/^-/.test(t)) return { ok: false, message: `${field} must be a positive number of cents, got "${t}"` };
  return { ok: false, message: `${field} must be a whole number of cents, got "${text}"` };
}

/** `2865`, `CAD` → `28.65 CAD`; integer arithmetic only. */
export function formatMoney(cents: number | string, currency = ''): string {
  // Only whole cents are money: "1.5" or "12abc" (a client's, a gateway's) is shown as sent, not cut to 0.01.
  const n = typeof cents === 'number' ? cents : /^-?\d+$/.test(cents.trim()) ? Number.parseInt(cents, 10) : NaN;
  if (!Number.isSafeInteger(n)) return `${cents}${currency ? ` ${currency}` : ''} (cents)`;
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const text = `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return currency ? `${text} ${currency}` : text;
}
