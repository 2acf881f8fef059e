// Masking of the merchant key for display: enough to recognise it, never enough to use it.

/** `8UPp…C3` for a long key; a short key shows nothing of itself. */
export function maskKey(key: string): string {
  const chars = Array.from(key);
  if (chars.length < 12) return '••••';
  return `${chars.slice(0, 4).join('')}…${chars.slice(-2).join('')}`;
}

/** Replaces every occurrence of the key in a text by its mask. */
export function redactKey(text: string, key: string | undefined): string {
  if (!key || key.length < 4 || !text.includes(key)) return text;
  return text.split(key).join(maskKey(key));
}
