// The payer's IP address of create_order and refund_order: checked before anything is sent, and when it is configured.

/**
 * Why a clientIp is not the payer's IP address (IPv4 or IPv6), or undefined when it is one. The gateway documents it
 * as the payer's IP, and the wallets behind it read it as one.
 */
export function clientIpProblem(clientIp: string): string | undefined {
  if (process.getBuiltinModule('node:net').isIP(clientIp) !== 0) return undefined;
  return `clientIp "${clientIp}" is not an IP address (the payer's IPv4 or IPv6 address, such as 203.0.113.7)`;
}
