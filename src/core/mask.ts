// Masking of the merchant key for display: enough to recognise it, never enough to use it.

/**
 * `8UPp…C3` for a key of 24 characters or more. At most a quarter of the key is shown (`ab…z` for
 * 12 characters): what is hidden must stay too long to guess from a sign it made, and a key under
 * 12 characters shows nothing of itself.
 */
export function maskKey(key: string): string {
  const chars = Array.from(key);
  if (chars.length < 12) return '••••';
  const shown = Math.min(6, Math.floor(chars.length / 4));
  const head = Math.ceil((shown * 2) / 3);
  return `${chars.slice(0, head).join('')}…${chars.slice(head - shown).join('')}`;
}

/** Replaces every occurrence of the key in a text by its mask. */
export function redactKey(text: string, key: string | undefined): string {
  if (!key || key.length < 4 || !text.includes(key)) return text;
  return text.split(key).join(maskKey(key));
}
