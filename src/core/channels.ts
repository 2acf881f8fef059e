// The gateway's channels: what each is for, which extra keys and fields it needs, how its payment is shown.

export type PaymentKind = 'qr' | 'redirect' | 'scheme' | 'sdk' | 'card' | 'none';

export interface Channel {
  id: string;
  wallet: 'WeChat Pay' | 'Alipay' | 'UnionPay' | 'Card';
  description: string;
  kind: PaymentKind;
  /** Keys `extra` must hold. */
  extraKeys: readonly string[];
  /** Fixed `extra` entries the seed documents (`type: apppay`). */
  extraDefaults?: Readonly<Record<string, string>>;
  needsOsType?: boolean;
  needsReturnUrl?: boolean;
  /** Served by another endpoint than create_order. */
  otherEndpoint?: boolean;
}

export const CHANNELS: readonly Channel[] = [
  { id: 'WX_NATIVE', wallet: 'WeChat Pay', description: 'customer scans a QR with WeChat', kind: 'qr', extraKeys: ['productId'] },
  { id: 'WX_JSAPI', wallet: 'WeChat Pay', description: 'WeChat mini program (openId, appId)', kind: 'sdk', extraKeys: ['openId'], extraDefaults: { type: 'minipay' } },
  { id: 'WX_APP', wallet: 'WeChat Pay', description: 'in-app payment via the WeChat SDK (appId)', kind: 'sdk', extraKeys: ['appId'], extraDefaults: { type: 'apppay' } },
  { id: 'WX_MICROPAY', wallet: 'WeChat Pay', description: 'merchant scans the customer (another endpoint)', kind: 'none', extraKeys: [], otherEndpoint: true },
  { id: 'ALIPAY_QR', wallet: 'Alipay', description: 'customer scans a QR with Alipay', kind: 'qr', extraKeys: [] },
  { id: 'ALIPAY_PC', wallet: 'Alipay', description: 'desktop web checkout (redirect)', kind: 'redirect', extraKeys: [], needsReturnUrl: true },
  { id: 'ALIPAY_WAP', wallet: 'Alipay', description: 'mobile web checkout (redirect)', kind: 'redirect', extraKeys: [], needsReturnUrl: true, needsOsType: true },
  { id: 'ALIPAY_MOBILE', wallet: 'Alipay', description: 'open the Alipay app (alipayconnect:// scheme)', kind: 'scheme', extraKeys: [], needsReturnUrl: true, needsOsType: true },
  { id: 'ALIPAY_MICROPAY', wallet: 'Alipay', description: 'merchant scans the customer (another endpoint)', kind: 'none', extraKeys: [], otherEndpoint: true },
  { id: 'UPI_SEQ', wallet: 'UnionPay', description: 'UnionPay web checkout (redirect)', kind: 'redirect', extraKeys: [] },
  { id: 'UPI_QR', wallet: 'UnionPay', description: 'customer scans a QR with UnionPay', kind: 'qr', extraKeys: [] },
  { id: 'UPI_APP', wallet: 'UnionPay', description: 'in-app payment via the UnionPay SDK', kind: 'sdk', extraKeys: [] },
  { id: 'UPI_MICROPAY', wallet: 'UnionPay', description: 'merchant scans the customer (another endpoint)', kind: 'none', extraKeys: [], otherEndpoint: true },
  { id: 'CC_PAX', wallet: 'Card', description: 'card terminal transaction (PAX)', kind: 'card', extraKeys: [] },
];

export function findChannel(id: string): Channel | undefined {
  return CHANNELS.find((c) => c.id === id);
}

/** Channels `create` can open an order on (the micropay ones use another endpoint). */
export const CREATE_CHANNELS = CHANNELS.filter((c) => !c.otherEndpoint);

/** Names people give a wallet instead of a channel id, and the wallet they mean. */
const WALLET_WORDS: Record<string, Channel['wallet']> = {
  WECHAT: 'WeChat Pay', WECHATPAY: 'WeChat Pay', WEIXIN: 'WeChat Pay', WX: 'WeChat Pay', WXPAY: 'WeChat Pay',
  ALIPAY: 'Alipay', ALI: 'Alipay',
  UNIONPAY: 'UnionPay', UPI: 'UnionPay', UNION: 'UnionPay', CUP: 'UnionPay',
};

/** Edits (insert, delete, replace, swap two neighbours) between two short texts; `limit + 1` at once when their lengths differ by more. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * What an unknown channel id most likely meant, said after the warning: the id without its separators
 * (`WXNATIVE`, `UPI-QR`), a typo of one or two letters (`WX_NATIV`), or a wallet's name (`WECHAT`: its channels).
 */
export function channelSuggestion(id: string): string | undefined {
  const squashed = id.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const offered = CREATE_CHANNELS.map((c) => c.id);
  const same = offered.find((c) => c.replace(/_/g, '') === squashed);
  if (same) return `did you mean ${same}?`;
  const near = offered
    .map((c) => ({ c, d: editDistance(id.toUpperCase(), c, 2) }))
    .filter(({ d }) => d <= 2)
    .sort((x, y) => x.d - y.d);
  if (near.length > 0 && (near.length === 1 || near[0]!.d < near[1]!.d)) return `did you mean ${near[0]!.c}?`;
  const wallet = WALLET_WORDS[squashed];
  if (wallet) return `${wallet}'s channels are ${CREATE_CHANNELS.filter((c) => c.wallet === wallet).map((c) => c.id).join(', ')}`;
  return undefined;
}
