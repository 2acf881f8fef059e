// A FAIL answer, or one about another order, as the error a command ends with: the gateway's words, and what to do.
import { failureCause, outcome, type Response } from '../core/response.js';
import { GatewayError, SignatureError } from '../errors.js';

/** Exit 1 with `<endpoint> FAIL: <the gateway's words>`, and a hint when the words name the merchant id or the sign. */
export function gatewayFailure(endpoint: string, response: Response, mchId: string): GatewayError {
  const verdict = outcome(response);
  const message = `${endpoint} FAIL: ${verdict.ok ? 'no failure reported' : verdict.message}`;
  switch (failureCause(response)) {
    case 'bad-sign':
      return new GatewayError(
        message,
        `the gateway did not accept the request's sign: most often the key is not the one it has for merchant ${mchId}; iotpay doctor checks the key without creating anything`,
        true,
      );
    case 'unknown-merchant':
      return new GatewayError(message, `check the merchant id ${mchId} (--mch-id, IOTPAY_MCH_ID or iotpay config set mch-id) and that the base URL is its gateway`);
    default:
      return new GatewayError(message);
  }
}

/** An answer about another order than the one asked about (exit 4): what it says is not used. */
export function foreignAnswer(endpoint: string, foreign: string, withheld: string): SignatureError {
  return new SignatureError(
    `the ${endpoint} answer is about another order (${foreign}): ${withheld}`,
    'something between here and the gateway (a cache, a proxy) may be answering for it; --verbose shows the exchange',
  );
}
