// Words for counts in human output: "1 field", "3 fields".

/** `n` and the noun for it: `count(1, 'notify', 'notifies')` is "1 notify"; the plural defaults to one + "s". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
