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
