// The baseline for `create --json`: a minimal script that signs a create_order and POSTs it with fetch.
import { createHash } from 'node:crypto';

const [baseUrl, mchId, key] = process.argv.slice(2);
const params = {
  mchId,
  mchOrderNo: `B${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 30),
  channelId: 'WX_NATIVE',
  currency: 'CAD',
  amount: 100,
  clientIp: '127.0.0.1',
  device: 'WEB',
  notifyUrl: 'http://127.0.0.1:9/n',
  subject: 'bench',
  body: 'bench',
  extra: JSON.stringify({ productId: '1' }),
  jobNo: 'bench',
};
const canonical = Object.keys(params)
  .sort()
  .map((k) => `${k}=${params[k]}&`)
  .join('');
params.sign = createHash('md5').update(`${canonical}key=${key}`).digest('hex').toUpperCase();
const res = await fetch(`${baseUrl}/create_order`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ params: JSON.stringify(params) }),
});
process.stdout.write(JSON.stringify(await res.json()) + '\n');
